namespace OtelTailSampler.Sampling;

/// <summary>A span's kind, with OTLP's numbers (<c>Span.kind</c>).</summary>
public enum SpanKind : byte
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}
