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

/// <summary>
/// Export requests that use every field kind OTLP has: each AnyValue case (zero values and non-finite doubles
/// included), events, links, status, all five metric types with exemplars, and log records with bodies and ids.
/// </summary>
internal static class RichOtlpSamples
{
    public const string LinkTraceIdHex = "0102030405060708090a0b0c0d0e0f10";

    public static ByteString TraceId { get; } = Hex("5b8efff798038103d269b633813fc60c");

    public static ByteString SpanId { get; } = Hex("eee19b7ec3c1b174");

    public static ByteString ParentSpanId { get; } = Hex("eee19b7ec3c1b173");

    public static ExportTraceServiceRequest RichTraces() => new()
    {
        ResourceSpans =
        {
            new ResourceSpans
            {
                Resource = RichResource(),
                SchemaUrl = "https://opentelemetry.io/schemas/1.26.0",
                ScopeSpans =
                {
                    new ScopeSpans
                    {
                        Scope = Scope(),
                        SchemaUrl = "https://opentelemetry.io/schemas/1.26.0",
                        Spans =
                        {
                            new Span
                            {
                                TraceId = TraceId,
                                SpanId = SpanId,
                                ParentSpanId = ParentSpanId,
                                TraceState = "rojo=00f067aa0ba902b7",
                                Flags = 0x301,
                                Name = "GET /api/orders/{id}",
                                Kind = Span.Types.SpanKind.Server,
                                StartTimeUnixNano = 1544712660000000000,
                                EndTimeUnixNano = 1544712661000000000,
                                Attributes = { EveryAnyValue() },
                                DroppedAttributesCount = 1,
                                Events =
                                {
                                    new Span.Types.Event
                                    {
                                        TimeUnixNano = 1544712660500000000,
                                        Name = "exception",
                                        Attributes = { Attribute("exception.message", new AnyValue { StringValue = "boom" }) },
                                        DroppedAttributesCount = 2,
                                    },
                                },
                                DroppedEventsCount = 3,
                                Links =
                                {
                                    new Span.Types.Link
                                    {
                                        TraceId = Hex(LinkTraceIdHex),
                                        SpanId = Hex("1112131415161718"),
                                        TraceState = "congo=t61rcWkgMzE",
                                        Attributes = { Attribute("link.kind", new AnyValue { StringValue = "follows" }) },
                                        DroppedAttributesCount = 4,
                                        Flags = 1,
                                    },
                                },
                                DroppedLinksCount = 5,
                                Status = new Status { Code = Status.Types.StatusCode.Error, Message = "timeout \"upstream\"" },
                            },
                            new Span
                            {
                                // A root span: no parent, unset status, internal kind.
                                TraceId = TraceId,
                                SpanId = ParentSpanId,
                                Name = "root",
                                Kind = Span.Types.SpanKind.Internal,
                                StartTimeUnixNano = ulong.MaxValue,
                            },
                        },
                    },
                },
            },
        },
    };

    public static ExportMetricsServiceRequest RichMetrics() => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics
            {
                Resource = RichResource(),
                ScopeMetrics =
                {
                    new ScopeMetrics
                    {
                        Scope = Scope(),
                        Metrics =
                        {
                            new Metric
                            {
                                Name = "queue.depth",
                                Description = "Items waiting",
                                Unit = "{item}",
                                Gauge = new Gauge
                                {
                                    DataPoints =
                                    {
                                        new NumberDataPoint
                                        {
                                            Attributes = { Attribute("queue", new AnyValue { StringValue = "orders" }) },
                                            StartTimeUnixNano = 1,
                                            TimeUnixNano = 2,
                                            AsInt = 0,
                                            Exemplars = { ExemplarWithIds(asInt: 7) },
                                            Flags = 1,
                                        },
                                    },
                                },
                                Metadata = { Attribute("source", new AnyValue { StringValue = "sdk" }) },
                            },
                            new Metric
                            {
                                Name = "requests",
                                Sum = new Sum
                                {
                                    AggregationTemporality = AggregationTemporality.Cumulative,
                                    IsMonotonic = true,
                                    DataPoints =
                                    {
                                        new NumberDataPoint { TimeUnixNano = 3, AsDouble = -0.0, Exemplars = { ExemplarWithIds(asDouble: 1.5) } },
                                        new NumberDataPoint { TimeUnixNano = 4, AsDouble = double.NaN },
                                    },
                                },
                            },
                            new Metric
                            {
                                Name = "latency",
                                Unit = "ms",
                                Histogram = new Histogram
                                {
                                    AggregationTemporality = AggregationTemporality.Delta,
                                    DataPoints =
                                    {
                                        new HistogramDataPoint
                                        {
                                            StartTimeUnixNano = 5,
                                            TimeUnixNano = 6,
                                            Count = 10,
                                            Sum = 0,
                                            BucketCounts = { 1, 0, 9 },
                                            ExplicitBounds = { 0.5, 2.5e-3 },
                                            Exemplars = { ExemplarWithIds(asDouble: 0.25) },
                                            Min = -1e300,
                                            Max = double.PositiveInfinity,
                                        },
                                    },
                                },
                            },
                            new Metric
                            {
                                Name = "size",
                                ExponentialHistogram = new ExponentialHistogram
                                {
                                    AggregationTemporality = AggregationTemporality.Cumulative,
                                    DataPoints =
                                    {
                                        new ExponentialHistogramDataPoint
                                        {
                                            Attributes = { Attribute("bucket", new AnyValue { BoolValue = false }) },
                                            TimeUnixNano = 7,
                                            Count = 12,
                                            Sum = 100.25,
                                            Scale = -3,
                                            ZeroCount = 2,
                                            ZeroThreshold = 1e-9,
                                            Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = -2, BucketCounts = { 1, 2, ulong.MaxValue } },
                                            Negative = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 4, BucketCounts = { 0 } },
                                            Flags = 0,
                                            Exemplars = { ExemplarWithIds(asInt: long.MinValue) },
                                            Min = 0,
                                            Max = 64,
                                        },
                                    },
                                },
                            },
                            new Metric
                            {
                                Name = "duration.summary",
                                Summary = new Summary
                                {
                                    DataPoints =
                                    {
                                        new SummaryDataPoint
                                        {
                                            TimeUnixNano = 8,
                                            Count = 4,
                                            Sum = 8.5,
                                            QuantileValues =
                                            {
                                                new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0, Value = 0.5 },
                                                new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 4 },
                                            },
                                            Flags = 1,
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    };

    public static ExportLogsServiceRequest RichLogs() => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = RichResource(),
                ScopeLogs =
                {
                    new ScopeLogs
                    {
                        Scope = Scope(),
                        LogRecords =
                        {
                            new LogRecord
                            {
                                TimeUnixNano = 1544712660000000000,
                                ObservedTimeUnixNano = 1544712660000000001,
                                SeverityNumber = SeverityNumber.Error2,
                                SeverityText = "ERROR",
                                Body = new AnyValue { StringValue = "line one\nline two \u00e9\u4e2d" },
                                Attributes = { EveryAnyValue() },
                                DroppedAttributesCount = 1,
                                Flags = 1,
                                TraceId = TraceId,
                                SpanId = SpanId,
                                EventName = "order.failed",
                            },
                            new LogRecord
                            {
                                ObservedTimeUnixNano = 9,
                                Body = new AnyValue
                                {
                                    KvlistValue = new KeyValueList
                                    {
                                        Values = { Attribute("nested", new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { IntValue = -1 } } } }) },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    };

    private static Resource RichResource() => new()
    {
        Attributes =
        {
            Attribute("service.name", new AnyValue { StringValue = "checkout" }),
            Attribute("host.cores", new AnyValue { IntValue = 8 }),
        },
        DroppedAttributesCount = 1,
        EntityRefs =
        {
            new EntityRef { SchemaUrl = "https://opentelemetry.io/schemas/1.26.0", Type = "service", IdKeys = { "service.name" }, DescriptionKeys = { "host.cores" } },
        },
    };

    private static InstrumentationScope Scope() => new()
    {
        Name = "io.example.orders",
        Version = "2.1.0",
        Attributes = { Attribute("scope.attr", new AnyValue { BoolValue = true }) },
        DroppedAttributesCount = 2,
    };

    private static IEnumerable<KeyValue> EveryAnyValue() =>
    [
        Attribute("string", new AnyValue { StringValue = "text with \"quotes\" and \\ slashes" }),
        Attribute("empty.string", new AnyValue { StringValue = string.Empty }),
        Attribute("bool", new AnyValue { BoolValue = true }),
        Attribute("bool.false", new AnyValue { BoolValue = false }),
        Attribute("int", new AnyValue { IntValue = long.MaxValue }),
        Attribute("int.zero", new AnyValue { IntValue = 0 }),
        Attribute("int.negative", new AnyValue { IntValue = long.MinValue }),
        Attribute("double", new AnyValue { DoubleValue = 3.141592653589793 }),
        Attribute("double.zero", new AnyValue { DoubleValue = 0 }),
        Attribute("double.nan", new AnyValue { DoubleValue = double.NaN }),
        Attribute("double.-inf", new AnyValue { DoubleValue = double.NegativeInfinity }),
        Attribute("bytes", new AnyValue { BytesValue = ByteString.CopyFrom(0, 1, 0xfe, 0xff) }),
        Attribute("bytes.empty", new AnyValue { BytesValue = ByteString.Empty }),
        Attribute(
            "array",
            new AnyValue
            {
                ArrayValue = new ArrayValue
                {
                    Values = { new AnyValue { StringValue = "a" }, new AnyValue { IntValue = 1 }, new AnyValue(), new AnyValue { ArrayValue = new ArrayValue() } },
                },
            }),
        Attribute(
            "kvlist",
            new AnyValue
            {
                KvlistValue = new KeyValueList
                {
                    Values =
                    {
                        Attribute("inner", new AnyValue { KvlistValue = new KeyValueList { Values = { Attribute("deep", new AnyValue { DoubleValue = -2.5 }) } } }),
                        Attribute("no.value", new AnyValue()),
                    },
                },
            }),
        new KeyValue { Key = "value.missing" },
    ];

    private static Exemplar ExemplarWithIds(long? asInt = null, double? asDouble = null)
    {
        var exemplar = new Exemplar
        {
            FilteredAttributes = { Attribute("user", new AnyValue { StringValue = "u-1" }) },
            TimeUnixNano = 1544712660000000000,
            TraceId = TraceId,
            SpanId = SpanId,
        };
        if (asInt is { } i)
        {
            exemplar.AsInt = i;
        }

        if (asDouble is { } d)
        {
            exemplar.AsDouble = d;
        }

        return exemplar;
    }

    private static KeyValue Attribute(string key, AnyValue value) => new() { Key = key, Value = value };

    private static ByteString Hex(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));
}
