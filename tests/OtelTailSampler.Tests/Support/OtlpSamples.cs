using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace OtelTailSampler.Tests.Support;

/// <summary>Small, fully populated OTLP requests for tests.</summary>
public static class OtlpSamples
{
    public static ByteString TraceId(int n) => ByteString.CopyFrom([.. new byte[15], (byte)n]);

    public static ByteString SpanId(int n) => ByteString.CopyFrom([.. new byte[7], (byte)n]);

    public static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static Resource ServiceResource(string service) => new() { Attributes = { Attribute("service.name", service) } };

    public static Span Span(int trace, int span, string name = "op", int parent = 0) => new()
    {
        TraceId = TraceId(trace),
        SpanId = SpanId(span),
        ParentSpanId = parent == 0 ? ByteString.Empty : SpanId(parent),
        Name = name,
        Kind = OpenTelemetry.Proto.Trace.V1.Span.Types.SpanKind.Server,
        StartTimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)span,
        EndTimeUnixNano = 1_700_000_000_500_000_000UL + (ulong)span,
        Attributes = { Attribute("http.route", "/orders/{id}"), new KeyValue { Key = "http.status_code", Value = new AnyValue { IntValue = 200 } } },
        Status = new Status { Code = Status.Types.StatusCode.Ok },
    };

    public static ExportTraceServiceRequest Traces(params Span[] spans) => new()
    {
        ResourceSpans =
        {
            new ResourceSpans
            {
                Resource = ServiceResource("checkout"),
                SchemaUrl = "https://opentelemetry.io/schemas/1.26.0",
                ScopeSpans = { new ScopeSpans { Scope = new InstrumentationScope { Name = "tests", Version = "1.0" }, Spans = { spans } } },
            },
        },
    };

    public static ExportLogsServiceRequest Logs(params LogRecord[] records) => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = ServiceResource("checkout"),
                ScopeLogs = { new ScopeLogs { Scope = new InstrumentationScope { Name = "tests" }, LogRecords = { records } } },
            },
        },
    };

    public static LogRecord Log(string body, int trace = 0, int span = 0) => new()
    {
        TimeUnixNano = 1_700_000_000_000_000_000UL,
        ObservedTimeUnixNano = 1_700_000_000_000_000_001UL,
        SeverityNumber = SeverityNumber.Info,
        SeverityText = "Information",
        Body = new AnyValue { StringValue = body },
        TraceId = trace == 0 ? ByteString.Empty : TraceId(trace),
        SpanId = span == 0 ? ByteString.Empty : SpanId(span),
    };

    public static ExportMetricsServiceRequest Metrics() => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics
            {
                Resource = ServiceResource("checkout"),
                ScopeMetrics =
                {
                    new ScopeMetrics
                    {
                        Scope = new InstrumentationScope { Name = "tests" },
                        Metrics =
                        {
                            new Metric
                            {
                                Name = "queue.depth",
                                Gauge = new Gauge { DataPoints = { Point(3), Point(4), Point(5) } },
                            },
                            new Metric
                            {
                                Name = "http.server.duration",
                                Unit = "ms",
                                Histogram = new Histogram
                                {
                                    AggregationTemporality = AggregationTemporality.Delta,
                                    DataPoints =
                                    {
                                        new HistogramDataPoint { Count = 3, Sum = 30, BucketCounts = { 1, 2 }, ExplicitBounds = { 10 }, TimeUnixNano = 1_700_000_000_000_000_000UL },
                                        new HistogramDataPoint { Count = 1, Sum = 5, BucketCounts = { 1, 0 }, ExplicitBounds = { 10 }, TimeUnixNano = 1_700_000_000_000_000_000UL },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    };

    private static NumberDataPoint Point(long value) => new() { AsInt = value, TimeUnixNano = 1_700_000_000_000_000_000UL, Attributes = { Attribute("queue", "q" + value) } };
}
