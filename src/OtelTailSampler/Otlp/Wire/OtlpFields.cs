namespace OtelTailSampler.Otlp.Wire;

/// <summary>
/// The OTLP field numbers the wire readers use. All three signals share one envelope shape:
/// Export*ServiceRequest.resource_* = 1, Resource*.scope_* = 2, Scope*.items = 2.
/// </summary>
internal static class OtlpFields
{
    public const int RequestResources = 1;
    public const int ResourceScopes = 2;
    public const int ScopeItems = 2;

    public const int SpanTraceId = 1;
    public const int SpanSpanId = 2;
    public const int SpanParentSpanId = 4;

    public const int LogTraceId = 9;
    public const int LogSpanId = 10;

    public const int MetricGauge = 5;
    public const int MetricSum = 7;
    public const int MetricHistogram = 9;
    public const int MetricExponentialHistogram = 10;
    public const int MetricSummary = 11;
    public const int MetricDataPoints = 1;

    public const int TraceIdLength = 16;
    public const int SpanIdLength = 8;
}
