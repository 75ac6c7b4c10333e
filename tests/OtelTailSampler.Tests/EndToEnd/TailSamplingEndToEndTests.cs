using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelTailSampler.Export;
using OtelTailSampler.Hosting;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;
using OtlpExporterOptions = OtelTailSampler.Export.Otlp.OtlpExporterOptions;
using SdkProtocol = OpenTelemetry.Exporter.OtlpExportProtocol;

namespace OtelTailSampler.Tests.EndToEnd;

/// <summary>
/// Thousands of traces, each crossing three services that export over both transports, through a node with
/// the default policies: every error and slow trace arrives whole, ordinary traces at the configured share,
/// and no trace arrives in part.
/// </summary>
public sealed class TailSamplingEndToEndTests : IAsyncLifetime
{
    private const int Traces = 1500;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;
    private readonly ManualTimeProvider _time = new();
    private OtlpTestSink _sink = null!;
    private SamplerNode _node = null!;

    public async Task InitializeAsync()
    {
        _sink = await OtlpTestSink.StartAsync();
        var options = TestNode.LoopbackOptions(_dataDir) with
        {
            PipelineMode = PipelineMode.Sample,
            Sampling = new SamplingOptions { Policies = PolicySetOptions.Default },
            Sharding = new ShardingOptions { Shards = 256 },
            Exporters = new ExportersOptions
            {
                Otlp = new OtlpExporterOptions { Endpoint = _sink.GrpcEndpoint, BatchDelay = TimeSpan.Zero },
            },
        };
        _node = SamplerNode.Create(options, logging => { }, exporter: null, _time);
        await _node.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _sink.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    private TracerProvider Service(string name, SdkProtocol protocol)
    {
        var endpoint = protocol == SdkProtocol.Grpc
            ? new Uri($"http://127.0.0.1:{_node.GrpcEndpoint.Port}")
            : new Uri($"http://127.0.0.1:{_node.HttpEndpoint.Port}/v1/traces");
        return Sdk.CreateTracerProviderBuilder()
            .AddSource(name)
            .SetSampler(new AlwaysOnSampler())
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(name))
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = endpoint;
                o.BatchExportProcessorOptions.MaxQueueSize = 10_000;
                o.BatchExportProcessorOptions.MaxExportBatchSize = 512;
            })
            .Build()!;
    }

    [Fact]
    public async Task Errors_and_slow_traces_arrive_whole_and_ordinary_ones_at_the_configured_share()
    {
        var kinds = new Dictionary<string, string>();
        using (var frontendProvider = Service("frontend", SdkProtocol.Grpc))
        using (var checkoutProvider = Service("checkout", SdkProtocol.HttpProtobuf))
        using (var paymentsProvider = Service("payments", SdkProtocol.Grpc))
        using (var frontend = new ActivitySource("frontend"))
        using (var checkout = new ActivitySource("checkout"))
        using (var payments = new ActivitySource("payments"))
        {
            var start = DateTime.UtcNow.AddMinutes(-1);
            for (var i = 0; i < Traces; i++)
            {
                var kind = (i % 10) switch { 0 => "error", 1 => "slow", _ => "ordinary" };
                var t0 = start.AddMilliseconds(i);
                var duration = kind == "slow" ? TimeSpan.FromSeconds(2) : TimeSpan.FromMilliseconds(40);
                using var root = frontend.StartActivity(ActivityKind.Server, startTime: t0, name: "GET /checkout")!;
                using (var call = checkout.StartActivity(ActivityKind.Server, parentContext: root.Context, startTime: t0.AddMilliseconds(5), name: "POST /cart")!)
                {
                    using (var charge = payments.StartActivity(ActivityKind.Server, parentContext: call.Context, startTime: t0.AddMilliseconds(10), name: "charge")!)
                    {
                        if (kind == "error")
                        {
                            charge.SetStatus(ActivityStatusCode.Error, "card declined");
                        }

                        charge.SetEndTime(t0.AddMilliseconds(20));
                    }

                    call.SetEndTime(t0.AddMilliseconds(30));
                }

                root.SetEndTime(t0 + duration);
                kinds[root.TraceId.ToHexString()] = kind;
            }

            Assert.True(frontendProvider.ForceFlush(30_000));
            Assert.True(checkoutProvider.ForceFlush(30_000));
            Assert.True(paymentsProvider.ForceFlush(30_000));
        }

        // Every span is in a worker now; moving the clock past decision-wait decides every trace.
        var pipeline = (SamplingPipeline)_node.Pipeline;
        await pipeline.WhenIdleAsync();
        _time.Advance(TimeSpan.FromSeconds(31));
        await pipeline.WhenIdleAsync();
        await _node.StopAsync();

        var received = _sink.Spans.GroupBy(s => Convert.ToHexStringLower(s.TraceId.Span)).ToDictionary(g => g.Key, g => g.ToList());
        Assert.All(received, trace =>
        {
            Assert.Equal(3, trace.Value.Count);
            Assert.Equal(3, trace.Value.Select(s => s.SpanId).Distinct().Count());
            Assert.Single(trace.Value.Select(s => PolicyOf(s)).Distinct());
        });

        var errors = kinds.Where(k => k.Value == "error").Select(k => k.Key).ToList();
        var slow = kinds.Where(k => k.Value == "slow").Select(k => k.Key).ToList();
        Assert.All(errors, id => Assert.Equal("keep-errors", PolicyOf(received[id][0])));
        Assert.All(slow, id => Assert.Equal("keep-slow", PolicyOf(received[id][0])));

        // 1200 ordinary traces at 10%: 120 expected, standard deviation about 10.4; five of them either side.
        var ordinaryKept = kinds.Where(k => k.Value == "ordinary" && received.ContainsKey(k.Key)).Select(k => received[k.Key]).ToList();
        Assert.InRange(ordinaryKept.Count, 68, 172);
        Assert.All(ordinaryKept, spans =>
        {
            Assert.Equal("sample-10-percent", PolicyOf(spans[0]));
            Assert.Equal(10.0, spans[0].Attributes.Single(a => a.Key == "sampling.adjusted_count").Value.DoubleValue, 9);
        });
        Assert.Equal(errors.Count + slow.Count + ordinaryKept.Count, received.Count);

        // Spans come with the service that sent them.
        var services = _sink.TraceRequests.SelectMany(r => r.ResourceSpans)
            .Select(r => r.Resource.Attributes.Single(a => a.Key == "service.name").Value.StringValue).Distinct().Order();
        Assert.Equal(["checkout", "frontend", "payments"], services);
    }

    private static string PolicyOf(OpenTelemetry.Proto.Trace.V1.Span span) =>
        span.Attributes.Single(a => a.Key == "sampling.policy").Value.StringValue;
}
