namespace OtelTailSampler.Otlp.Wire;

/// <summary>Protobuf wire types (protobuf.dev/programming-guides/encoding).</summary>
public enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}
