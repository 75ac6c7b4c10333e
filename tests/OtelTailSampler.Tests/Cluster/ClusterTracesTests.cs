using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelTailSampler.Tests.Support;
using Xunit.Abstractions;

namespace OtelTailSampler.Tests.Cluster;

/// <summary>
/// Three node processes on loopback; three services, each with its own OpenTelemetry SDK exporter pointed at a
/// different node, so that every trace's spans arrive at three nodes. The cluster still decides each trace once,
/// on the owner of its shard: error and slow traces reach the backend whole and exactly once, ordinary ones at
/// the configured 10%, and none in part.
/// </summary>
public sealed class ClusterTracesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Traces = 200;
    private static readonly string[] Services = ["frontend", "checkout", "payments"];

    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-cluster-traces-").FullName;
    private OtlpTestSink _sink = null!;
    private LoopbackCluster? _cluster;

    public async Task InitializeAsync() => _sink = await OtlpTestSink.StartAsync();

    public async Task DisposeAsync()
    {
        _cluster?.Dispose();
        await _sink.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Spans_of_one_trace_sent_to_three_nodes_are_decided_once_and_kept_whole()
    {
        _cluster = await LoopbackCluster.StartAsync(_directory, nodes: 3, new Dictionary<string, string>
        {
            ["SAMPLER_EXPORTER_ENDPOINT"] = _sink.GrpcEndpoint.ToString(),
        });
        await _cluster.WaitUntilAllUpAsync();
        await _cluster.WaitForShardRegionsAsync();

        var sources = Services.Select(service => new ActivitySource("cluster." + service)).ToArray();
        var providers = Services.Select((service, i) => Sdk.CreateTracerProviderBuilder()
            .AddSource(sources[i].Name)
            .SetSampler(new AlwaysOnSampler())
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service))
            .AddOtlpExporter(o => o.Endpoint = _cluster.Grpc[i])
            .Build()).ToArray();
        var errors = new HashSet<string>();
        var slow = new HashSet<string>();
        var ordinary = new HashSet<string>();
        try
        {
            for (var i = 0; i < Traces; i++)
            {
                using var root = sources[0].StartActivity("GET /orders", ActivityKind.Server)!;
                var traceId = root.TraceId.ToHexString();
                if (i % 10 == 1)
                {
                    // Started 1.5 s ago: the trace passes keep-slow's 1s threshold.
                    root.SetStartTime(DateTime.UtcNow.AddSeconds(-1.5));
                    slow.Add(traceId);
                }

                using (sources[1].StartActivity("POST /checkout", ActivityKind.Server))
                {
                    using var payment = sources[2].StartActivity("charge", ActivityKind.Server)!;
                    if (i % 10 == 0)
                    {
                        payment.SetStatus(ActivityStatusCode.Error, "card declined");
                        errors.Add(traceId);
                    }
                }

                if (i % 10 > 1)
                {
                    ordinary.Add(traceId);
                }
            }

            foreach (var provider in providers)
            {
                Assert.True(provider.ForceFlush(30_000), "an SDK exporter did not flush");
            }
        }
        finally
        {
            foreach (var provider in providers)
            {
                provider.Dispose();
            }

            foreach (var source in sources)
            {
                source.Dispose();
            }
        }

        // Every trace is decided once in the whole cluster (a trace split across nodes would be decided more often),
        // and the backend then holds every span of every kept one.
        double decided = 0, kept = 0;
        await Poll.UntilAsync(async () =>
        {
            var scrapes = await _cluster.ScrapeAsync();
            decided = scrapes.Sum(scrape => Sum(scrape, "otelsampler_sampling_traces_decided_total"));
            kept = scrapes.Sum(scrape => Sum(scrape, "otelsampler_sampling_traces_kept_total"));
            return decided >= Traces && _sink.SpanCount >= kept * Services.Length;
        }, $"{Traces} traces decided and the kept ones delivered", () => $"decided {decided}, kept {kept}, spans at the backend {_sink.SpanCount}", TimeSpan.FromSeconds(90));

        var received = _sink.Spans.GroupBy(span => Convert.ToHexString(span.TraceId.Span).ToLowerInvariant()).ToDictionary(group => group.Key, group => group.ToList());
        output.WriteLine($"decided {decided}, kept {kept}; the backend has {received.Count} traces, {_sink.SpanCount} spans");
        Assert.Equal(Traces, decided);
        foreach (var (traceId, spans) in received)
        {
            // Whole, and each span once.
            Assert.True(spans.Count == Services.Length, $"trace {traceId} arrived with {spans.Count} spans");
            Assert.Equal(Services.Length, spans.Select(span => Convert.ToHexString(span.SpanId.Span)).Distinct().Count());
        }

        Assert.All(errors.Concat(slow), traceId => Assert.True(received.ContainsKey(traceId), $"kept trace {traceId} did not arrive"));

        // 160 ordinary traces at 10%: 16 expected; the bounds are 4.5 standard deviations (3.8) either side.
        var ordinaryKept = ordinary.Count(received.ContainsKey);
        Assert.InRange(ordinaryKept, 1, 34);
        Assert.Equal(errors.Count + slow.Count + ordinaryKept, received.Count);

        // Each node owned some of the shards: the cluster shared the work.
        var scrapesAtEnd = await _cluster.ScrapeAsync();
        Assert.All(scrapesAtEnd, scrape => Assert.True(Sum(scrape, "otelsampler_sampling_traces_decided_total") > 0, "a node decided no trace"));

        // The admin API agrees: every node lists the three members with their shards, and a kept trace is reported
        // kept by the member hosting its shard, while the others name that member.
        using var client = new HttpClient();
        using (var shards = JsonDocument.Parse(await client.GetStringAsync(new Uri(_cluster.Admins[0], "/cluster/shards"))))
        {
            var members = shards.RootElement.GetProperty("members").EnumerateArray().Select(member => member.GetProperty("address").GetString()).ToList();
            Assert.Equal(Enumerable.Range(0, 3).Select(_cluster.AddressOf).Order(StringComparer.Ordinal), members);
        }

        // `otel-sampler trace ID` on any node: the owner answers from its own state, the other two from the replicated
        // decisions, which reach them within moments.
        var keptTrace = errors.First();
        var reports = new List<JsonElement>();
        await Poll.UntilAsync(async () =>
        {
            reports.Clear();
            foreach (var admin in _cluster.Admins)
            {
                using var report = JsonDocument.Parse(await client.GetStringAsync(new Uri(admin, "/traces/" + keptTrace)));
                reports.Add(report.RootElement.Clone());
            }

            return reports.All(report => report.GetProperty("state").GetString() == "kept");
        }, "every node to report the error trace kept", () => string.Join(", ", reports.Select(report => report.GetProperty("state").GetString())), TimeSpan.FromSeconds(30));

        var owner = Assert.Single(reports, report => report.GetProperty("self").GetString() == report.GetProperty("owner").GetString());
        Assert.All(reports, report =>
        {
            Assert.Equal("keep-errors", report.GetProperty("policy").GetString());
            Assert.Equal(owner.GetProperty("self").GetString(), report.GetProperty("owner").GetString());
        });
        Assert.All(reports.Where(report => !report.Equals(owner)), report => Assert.Contains("replicated", report.GetProperty("detail").GetString(), StringComparison.Ordinal));
    }

    private static double Sum(PrometheusText scrape, string name) => scrape.Samples.Where(sample => sample.Name == name).Sum(sample => sample.Value);
}
