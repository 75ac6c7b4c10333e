using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelTailSampler.Export;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Tests.Support;
using OtlpExporterOptions = OtelTailSampler.Export.Otlp.OtlpExporterOptions;
using SdkProtocol = OpenTelemetry.Exporter.OtlpExportProtocol;

namespace OtelTailSampler.Tests.EndToEnd;

/// <summary>
/// The OpenTelemetry .NET SDK's own OTLP exporter sends to a running node, which forwards to a test backend:
/// every span, data point and log record must arrive unchanged, over gRPC and over HTTP/protobuf.
/// </summary>
public sealed class SdkPassThroughTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;
    private OtlpTestSink _sink = null!;
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        _sink = await OtlpTestSink.StartAsync();
        var options = TestNode.LoopbackOptions(_dataDir);
        options = options with
        {
            Exporters = new ExportersOptions
            {
                Otlp = new OtlpExporterOptions { Endpoint = _sink.GrpcEndpoint, Protocol = OtelTailSampler.Export.Otlp.OtlpExportProtocol.Grpc, BatchDelay = TimeSpan.FromMilliseconds(20) },
            },
        };
        _node = await TestNode.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _sink.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    private Uri SdkEndpoint(SdkProtocol protocol, string signalPath) =>
        protocol == SdkProtocol.Grpc ? _node.GrpcUri : new Uri(_node.HttpUri, signalPath);

    [Theory]
    [InlineData(SdkProtocol.Grpc)]
    [InlineData(SdkProtocol.HttpProtobuf)]
    public async Task Spans_arrive_unchanged(SdkProtocol protocol)
    {
        using var source = new ActivitySource("e2e.traces." + protocol);
        var finished = new List<Activity>();
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .SetSampler(new AlwaysOnSampler())
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("checkout", serviceVersion: "1.2.3"))
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = SdkEndpoint(protocol, "/v1/traces");
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build())
        {
            for (var i = 0; i < 20; i++)
            {
                using var root = source.StartActivity("GET /orders", ActivityKind.Server)!;
                root.SetTag("http.route", "/orders/{id}");
                root.SetTag("order.items", i);
                root.SetTag("premium", i % 2 == 0);
                using (var child = source.StartActivity("SELECT orders", ActivityKind.Client)!)
                {
                    child.SetTag("db.system", "postgresql");
                    child.AddEvent(new ActivityEvent("rows", tags: new ActivityTagsCollection { ["count"] = 3L }));
                    if (i % 5 == 0)
                    {
                        child.SetStatus(ActivityStatusCode.Error, "timeout");
                    }

                    finished.Add(child);
                }

                finished.Add(root);
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        await _sink.WaitForSpansAsync(finished.Count);
        var received = _sink.Spans.ToDictionary(s => Convert.ToHexStringLower(s.SpanId.Span));
        Assert.Equal(finished.Count, received.Count);
        foreach (var activity in finished)
        {
            var span = received[activity.SpanId.ToHexString()];
            Assert.Equal(activity.TraceId.ToHexString(), Convert.ToHexStringLower(span.TraceId.Span));
            Assert.Equal(activity.ParentSpanId == default ? "" : activity.ParentSpanId.ToHexString(), Convert.ToHexStringLower(span.ParentSpanId.Span));
            Assert.Equal(activity.DisplayName, span.Name);
            Assert.Equal(UnixNanos(activity.StartTimeUtc), span.StartTimeUnixNano);
            Assert.Equal(UnixNanos(activity.StartTimeUtc + activity.Duration), span.EndTimeUnixNano);
            foreach (var tag in activity.TagObjects)
            {
                var attribute = Assert.Single(span.Attributes, a => a.Key == tag.Key);
                Assert.Equal(tag.Value?.ToString(), AttributeText(attribute.Value), ignoreCase: true);
            }

            Assert.Equal(activity.Status == ActivityStatusCode.Error, span.Status?.Code == OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Error);
            Assert.Equal(activity.Events.Count(), span.Events.Count);
        }

        var resource = _sink.TraceRequests.SelectMany(r => r.ResourceSpans).First().Resource;
        Assert.Contains(resource.Attributes, a => a.Key == "service.name" && a.Value.StringValue == "checkout");
    }

    [Theory]
    [InlineData(SdkProtocol.Grpc)]
    [InlineData(SdkProtocol.HttpProtobuf)]
    public async Task Metric_points_arrive_unchanged(SdkProtocol protocol)
    {
        using var meter = new Meter("e2e.metrics." + protocol);
        var requests = meter.CreateCounter<long>("orders.placed", "{order}");
        var latency = meter.CreateHistogram<double>("orders.latency", "ms");
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("checkout"))
            .AddOtlpExporter((o, reader) =>
            {
                o.Protocol = protocol;
                o.Endpoint = SdkEndpoint(protocol, "/v1/metrics");
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Delta;
            })
            .Build())
        {
            for (var i = 0; i < 10; i++)
            {
                requests.Add(2, new KeyValuePair<string, object?>("region", i % 2 == 0 ? "eu" : "us"));
                latency.Record(i * 10.0);
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        // Two counter series (eu, us) and one histogram series.
        await _sink.WaitForMetricPointsAsync(3);
        var counter = _sink.Metrics.Where(m => m.Name == "orders.placed").SelectMany(m => m.Sum.DataPoints).ToList();
        Assert.Equal(20, counter.Sum(p => p.AsInt));
        Assert.Equal(["eu", "us"], counter.Select(p => p.Attributes.Single(a => a.Key == "region").Value.StringValue).Order());
        var histogram = Assert.Single(_sink.Metrics.Where(m => m.Name == "orders.latency").SelectMany(m => m.Histogram.DataPoints));
        Assert.Equal(10UL, histogram.Count);
        Assert.Equal(450.0, histogram.Sum);
        Assert.Equal("ms", _sink.Metrics.First(m => m.Name == "orders.latency").Unit);
    }

    [Theory]
    [InlineData(SdkProtocol.Grpc)]
    [InlineData(SdkProtocol.HttpProtobuf)]
    public async Task Log_records_arrive_unchanged_with_trace_context(SdkProtocol protocol)
    {
        using var source = new ActivitySource("e2e.logs." + protocol);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        ActivityTraceId traceId;
        ActivitySpanId spanId;
        using (var factory = LoggerFactory.Create(builder => builder.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("checkout"));
            o.IncludeFormattedMessage = true;
            o.AddOtlpExporter((exporter, processor) =>
            {
                exporter.Protocol = protocol;
                exporter.Endpoint = SdkEndpoint(protocol, "/v1/logs");
                processor.ExportProcessorType = ExportProcessorType.Simple;
            });
        })))
        {
            var logger = factory.CreateLogger("e2e.orders");
            using var activity = source.StartActivity("place order")!;
            traceId = activity.TraceId;
            spanId = activity.SpanId;
            for (var i = 0; i < 5; i++)
            {
                logger.LogWarning("Order {OrderId} took {Millis} ms", 1000 + i, 250 + i);
            }
        }

        await _sink.WaitForLogRecordsAsync(5);
        var records = _sink.LogRecords;
        Assert.Equal(5, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal(traceId.ToHexString(), Convert.ToHexStringLower(r.TraceId.Span));
            Assert.Equal(spanId.ToHexString(), Convert.ToHexStringLower(r.SpanId.Span));
            Assert.Equal(OpenTelemetry.Proto.Logs.V1.SeverityNumber.Warn, r.SeverityNumber);
        });
        Assert.Equal(Enumerable.Range(1000, 5).Select(i => (long)i), records.Select(r => r.Attributes.Single(a => a.Key == "OrderId").Value.IntValue).Order());
        Assert.Contains(records, r => r.Body.StringValue.Contains("took 252 ms", StringComparison.Ordinal) || r.Attributes.Any(a => a.Value.StringValue.Contains("took 252 ms", StringComparison.Ordinal)));
    }

    private static ulong UnixNanos(DateTime utc) => (ulong)(utc - DateTime.UnixEpoch).Ticks * 100UL;

    private static string? AttributeText(OpenTelemetry.Proto.Common.V1.AnyValue value) => value.ValueCase switch
    {
        OpenTelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.StringValue => value.StringValue,
        OpenTelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        OpenTelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.BoolValue => value.BoolValue.ToString(),
        OpenTelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}
