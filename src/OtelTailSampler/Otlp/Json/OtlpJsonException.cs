namespace OtelTailSampler.Otlp.Json;

/// <summary>
/// A payload is not valid OTLP JSON: malformed JSON, a value of the wrong kind for its field, or an id that is
/// not a hex string. A <see cref="FormatException"/> so callers that map format errors to 400 need no new case.
/// </summary>
public sealed class OtlpJsonException : FormatException
{
    public OtlpJsonException()
        : base("The payload is not valid OTLP JSON.")
    {
    }

    public OtlpJsonException(string message)
        : base(message)
    {
    }

    public OtlpJsonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
