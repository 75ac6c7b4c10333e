namespace OtelTailSampler.Otlp;

/// <summary>The three OTLP signals. Each has its own Export service, HTTP path and item kind.</summary>
public enum OtlpSignal
{
    Traces,
    Metrics,
    Logs,
}
