namespace OtelTailSampler.Otlp.Wire;

/// <summary>The bytes are not well-formed protobuf for the message they claim to be.</summary>
public sealed class ProtoWireException : FormatException
{
    public ProtoWireException()
    {
    }

    public ProtoWireException(string message)
        : base(message)
    {
    }

    public ProtoWireException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
