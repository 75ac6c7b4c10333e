using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace OtelTailSampler.Tests.Export.Otlp;

/// <summary>Small but fully populated OTLP requests, distinct per service name.</summary>
internal static class OtlpTestData
{
    private static int _sequence;

    public static ExportTraceServiceRequest Traces(string service, int spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "test-scope", Version = "1.0" } };
        var traceId = Id(16);
        for (var i = 0; i < spans; i++)
        {
            scope.Spans.Add(new Span
            {
                TraceId = traceId,
                SpanId = Id(8),
                Name = $"{service}-span-{i}",
                Kind = Span.Types.SpanKind.Server,
                StartTimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)i,
                EndTimeUnixNano = 1_700_000_000_500_000_000UL + (ulong)i,
                Attributes = { Attribute("http.route", $"/items/{i}") },
                Events = { new Span.Types.Event { Name = "checkpoint", TimeUnixNano = 1_700_000_000_100_000_000UL } },
                Status = new OpenTelemetry.Proto.Trace.V1.Status { Code = OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Ok },
            });
        }

        return new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { Resource = Resource(service), ScopeSpans = { scope } } },
        };
    }

    /// <summary>A gauge with two points and a histogram with one: three data points.</summary>
    public static ExportMetricsServiceRequest Metrics(string service)
    {
        var gauge = new Metric
        {
            Name = "queue.depth",
            Unit = "{item}",
            Gauge = new Gauge
            {
                DataPoints =
                {
                    new NumberDataPoint { AsInt = 3, TimeUnixNano = 1_700_000_000_000_000_000UL, Attributes = { Attribute("queue", "a") } },
                    new NumberDataPoint { AsDouble = 4.5, TimeUnixNano = 1_700_000_000_000_000_000UL, Attributes = { Attribute("queue", "b") } },
                },
            },
        };
        var histogram = new Metric
        {
            Name = "request.duration",
            Unit = "ms",
            Histogram = new Histogram
            {
                AggregationTemporality = AggregationTemporality.Delta,
                DataPoints =
                {
                    new HistogramDataPoint { Count = 3, Sum = 42, ExplicitBounds = { 10, 100 }, BucketCounts = { 1, 1, 1 } },
                },
            },
        };
        return new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = Resource(service),
                    ScopeMetrics = { new ScopeMetrics { Scope = new InstrumentationScope { Name = "test-scope" }, Metrics = { gauge, histogram } } },
                },
            },
        };
    }

    public static ExportLogsServiceRequest Logs(string service, int records)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "test-scope" } };
        for (var i = 0; i < records; i++)
        {
            scope.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)i,
                SeverityNumber = SeverityNumber.Warn,
                SeverityText = "WARN",
                Body = new AnyValue { StringValue = $"{service} says {i}" },
                Attributes = { Attribute("thread", "main") },
            });
        }

        return new ExportLogsServiceRequest
        {
            ResourceLogs = { new ResourceLogs { Resource = Resource(service), ScopeLogs = { scope } } },
        };
    }

    private static Resource Resource(string service) => new() { Attributes = { Attribute("service.name", service) } };

    private static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static ByteString Id(int length)
    {
        var bytes = new byte[length];
        var value = Interlocked.Increment(ref _sequence);
        BitConverter.TryWriteBytes(bytes, value);
        bytes[^1] = 0x5A;
        return ByteString.CopyFrom(bytes);
    }
}
