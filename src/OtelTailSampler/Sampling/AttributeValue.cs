using System.Buffers.Binary;
using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.Sampling;

/// <summary>An attribute's <c>AnyValue</c> read straight off the wire: the string stays UTF-8 bytes.</summary>
internal readonly ref struct AttributeValue
{
    private const int StringValue = 1;
    private const int BoolValue = 2;
    private const int IntValue = 3;
    private const int DoubleValue = 4;

    public AttributeValueKind Kind { get; init; }

    public ReadOnlySpan<byte> Utf8 { get; init; }

    /// <summary>The string decoded to UTF-16, filled in only for predicates that run regular expressions.</summary>
    public ReadOnlySpan<char> Chars { get; init; }

    public long Int { get; init; }

    public double Double { get; init; }

    public bool Bool { get; init; }

    public static AttributeValue Read(ReadOnlySpan<byte> anyValue)
    {
        // AnyValue is a oneof: the last value field on the wire wins, as protobuf parsers do.
        var value = default(AttributeValue);
        var reader = new ProtoReader(anyValue);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case StringValue when wireType == WireType.LengthDelimited:
                    value = new AttributeValue { Kind = AttributeValueKind.String, Utf8 = reader.ReadLengthDelimited() };
                    break;
                case BoolValue when wireType == WireType.Varint:
                    value = new AttributeValue { Kind = AttributeValueKind.Bool, Bool = reader.ReadVarint() != 0 };
                    break;
                case IntValue when wireType == WireType.Varint:
                    value = new AttributeValue { Kind = AttributeValueKind.Int, Int = unchecked((long)reader.ReadVarint()) };
                    break;
                case DoubleValue when wireType == WireType.Fixed64:
                    value = new AttributeValue { Kind = AttributeValueKind.Double, Double = BitConverter.UInt64BitsToDouble(reader.ReadFixed64()) };
                    break;
                default:
                    reader.SkipField(field, wireType);
                    if (field is > DoubleValue and <= 7)
                    {
                        value = new AttributeValue { Kind = AttributeValueKind.Other };
                    }

                    break;
            }
        }

        return value;
    }
}
