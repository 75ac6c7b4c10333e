using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Google.Protobuf;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Cluster;

/// <summary>
/// Two node processes on loopback. Spans sent to one node whose trace shards the other owns travel the link between
/// them, and the sending node's /metrics counts them there: the spans, and the bytes the link carried for them.
/// </summary>
public sealed class ForwardingLinkTests : IDisposable
{
    private const int Shards = 100;
    private const string Spans = "otelsampler_cluster_forwarded_spans_total";
    private const string Bytes = "otelsampler_cluster_forwarded_bytes_total";

    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-links-").FullName;
    private LoopbackCluster? _cluster;

    public void Dispose()
    {
        _cluster?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Spans_sent_to_the_node_that_does_not_own_them_are_counted_on_the_link_to_their_owner_with_their_bytes()
    {
        _cluster = await LoopbackCluster.StartAsync(_directory, nodes: 2, new Dictionary<string, string> { ["SAMPLER_JOURNAL_BACKEND"] = "none" });
        await _cluster.WaitUntilAllUpAsync();
        await _cluster.WaitForShardRegionsAsync();

        // 40 traces of two spans each, in one request to the first node: they fall in shards of both nodes.
        var request = OtlpSamples.Traces([.. Enumerable.Range(1, 40).SelectMany(trace => new[] { OtlpSamples.Span(trace, 1), OtlpSamples.Span(trace, 2, parent: 1) })]).ToByteArray();
        using (var client = new GrpcTestClient())
        {
            var reply = await client.CallAsync(_cluster.Grpc[0], "/opentelemetry.proto.collector.trace.v1.TraceService/Export", GrpcTestClient.Frame(request));
            Assert.Equal(GrpcStatusCode.Ok, reply.Status);
        }

        // What the second node owns, as the cluster reports it, and what the link must have carried for those spans.
        var owned = await ShardsOfAsync(_cluster.AddressOf(1));
        var parts = TraceRequestSplitter.SplitByShard(request, new ShardRouter(Shards, workers: 1)).Where(part => owned.Contains(part.Shard)).ToList();
        Assert.NotEmpty(parts);
        var expectedSpans = parts.Sum(part => part.Batch.Count);
        long expectedBytes;
        using (var system = ActorSystem.Create("expected", ConfigurationFactory.ParseString(TraceShardSerializer.Hocon(Shards))))
        {
            var serializer = ((ExtendedActorSystem)system).Serialization.FindSerializerForType(typeof(TraceShardSpans));
            expectedBytes = parts.Sum(part => (long)serializer.ToBinary(new TraceShardSpans(part.Shard, 1, part.Batch)).Length);
        }

        var peer = $"peer={_cluster.Hosts[1]}:{_cluster.ClusterPorts[1]}";
        PrometheusText? first = null;
        await Poll.UntilAsync(async () =>
        {
            first = (await _cluster.ScrapeAsync())[0];
            return first.Value(Spans, peer) >= expectedSpans;
        }, "the first node's link counter to the second", () => first?.Samples.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", TimeSpan.FromSeconds(30));

        Assert.Equal(expectedSpans, first!.Value(Spans, peer));
        Assert.Equal(expectedBytes, first.Value(Bytes, peer));

        // Nothing was sent to the second node's receivers, so nothing went the other way.
        var second = (await _cluster.ScrapeAsync())[1];
        Assert.Equal(0, second.Value(Spans));
    }

    private async Task<HashSet<int>> ShardsOfAsync(string member)
    {
        using var client = new HttpClient();
        using var shards = JsonDocument.Parse(await client.GetStringAsync(new Uri(_cluster!.Admins[0], "/cluster/shards")));
        return shards.RootElement.GetProperty("members").EnumerateArray()
            .Where(entry => entry.GetProperty("address").GetString() == member)
            .SelectMany(entry => entry.GetProperty("shards").EnumerateArray().Select(shard => shard.GetInt32()))
            .ToHashSet();
    }
}
