namespace OtelTailSampler.Sampling;

/// <summary>A span's status code, with OTLP's numbers (<c>Status.code</c>).</summary>
public enum SpanStatusCode : byte
{
    Unset = 0,
    Ok = 1,
    Error = 2,
}
