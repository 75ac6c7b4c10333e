namespace OtelTailSampler.LoadGen;

/// <summary>The OTLP field numbers the traffic generator writes (opentelemetry/proto, v1).</summary>
internal static class OtlpWire
{
    // Export*ServiceRequest, Resource*, Scope*: the shared envelope.
    public const int RequestResources = 1;
    public const int ResourceResource = 1;
    public const int ResourceScopes = 2;
    public const int ScopeScope = 1;
    public const int ScopeItems = 2;

    // Resource, InstrumentationScope.
    public const int ResourceAttributes = 1;
    public const int ScopeName = 1;
    public const int ScopeVersion = 2;

    // KeyValue, AnyValue.
    public const int KeyValueKey = 1;
    public const int KeyValueValue = 2;
    public const int AnyValueString = 1;
    public const int AnyValueBool = 2;
    public const int AnyValueInt = 3;
    public const int AnyValueDouble = 4;

    // Span.
    public const int SpanTraceId = 1;
    public const int SpanSpanId = 2;
    public const int SpanParentSpanId = 4;
    public const int SpanName = 5;
    public const int SpanKind = 6;
    public const int SpanStartTime = 7;
    public const int SpanEndTime = 8;
    public const int SpanAttributes = 9;
    public const int SpanEvents = 11;
    public const int SpanStatus = 15;
    public const int SpanFlags = 16;
    public const int EventTime = 1;
    public const int EventName = 2;
    public const int EventAttributes = 3;
    public const int StatusMessage = 2;
    public const int StatusCode = 3;

    // LogRecord.
    public const int LogTime = 1;
    public const int LogSeverityNumber = 2;
    public const int LogSeverityText = 3;
    public const int LogBody = 5;
    public const int LogAttributes = 6;
    public const int LogFlags = 8;
    public const int LogTraceId = 9;
    public const int LogSpanId = 10;
    public const int LogObservedTime = 11;

    // Metric and its data.
    public const int MetricName = 1;
    public const int MetricDescription = 2;
    public const int MetricUnit = 3;
    public const int MetricGauge = 5;
    public const int MetricSum = 7;
    public const int MetricHistogram = 9;
    public const int DataPoints = 1;
    public const int AggregationTemporality = 2;
    public const int SumIsMonotonic = 3;
    public const int NumberStartTime = 2;
    public const int NumberTime = 3;
    public const int NumberAsDouble = 4;
    public const int NumberAsInt = 6;
    public const int NumberAttributes = 7;
    public const int HistogramStartTime = 2;
    public const int HistogramTime = 3;
    public const int HistogramCount = 4;
    public const int HistogramSum = 5;
    public const int HistogramBucketCounts = 6;
    public const int HistogramExplicitBounds = 7;
    public const int HistogramExemplars = 8;
    public const int HistogramAttributes = 9;
    public const int ExemplarTime = 2;
    public const int ExemplarAsDouble = 3;
    public const int ExemplarSpanId = 4;
    public const int ExemplarTraceId = 5;

    public const int CumulativeTemporality = 2;
}
