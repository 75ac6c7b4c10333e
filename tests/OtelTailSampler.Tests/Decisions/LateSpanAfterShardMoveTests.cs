using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Decisions;
using OtelTailSampler.Hosting;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;
using Span = OpenTelemetry.Proto.Trace.V1.Span;
using Status = OpenTelemetry.Proto.Trace.V1.Status;

namespace OtelTailSampler.Tests.Decisions;

/// <summary>
/// Two sampling nodes in this process. Node A owns a shard and decides two of its traces, one kept (it has an error
/// span) and one dropped; then A leaves the cluster, and its shards move to B. Late spans of both traces reach B
/// afterwards, with nothing in them that would keep a trace: B follows A's replicated decisions, exporting the kept
/// trace's late span with the same sampling attributes and dropping the other one's, instead of starting new traces.
/// Sampling time is a manual clock shared by both nodes; Akka's own timers run on real time.
/// </summary>
public sealed class LateSpanAfterShardMoveTests : IAsyncLifetime
{
    private const int Shards = 10;
    private const string Host = "127.0.0.1";
    private static readonly TimeSpan DecisionWait = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-late-span-").FullName;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(15) };
    private readonly ManualTimeProvider _time = new();
    private readonly ShardRouter _router = new(Shards, workers: 1);
    private readonly List<TestNode> _nodes = [];
    private readonly CapturingExporter[] _exporters = [new(), new()];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _client.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Late_spans_at_the_shard_s_new_owner_follow_the_decisions_its_old_owner_made()
    {
        var (a, b, shardOfA) = await StartTwoNodesAsync();
        var kept = TraceOfShard(shardOfA, salt: 2);
        var dropped = TraceOfShard(shardOfA, salt: 3);

        // A decides both: one has an error span, the other not, and the policy keeps errors only.
        Assert.Equal(HttpStatusCode.OK, await SendAsync(a, SpanOf(kept, 1, error: true), SpanOf(dropped, 1, error: false)));
        _time.Advance(DecisionWait + TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => SpansOf(_exporters[0], kept).Count == 1, "A to export the kept trace", TimeSpan.FromSeconds(30));

        // B hears of both decisions, and its admin API says so before the shard moves.
        await Poll.UntilAsync(async () => await StateAtAsync(b, kept) == "kept" && await StateAtAsync(b, dropped) == "dropped",
            "B to have A's decisions", () => "", TimeSpan.FromSeconds(30));

        await LeaveAsync(a, b);
        await AssertLateSpansFollowAsync(b, kept, dropped);
    }

    [Fact]
    public async Task Traces_still_buffered_when_their_shard_is_handed_off_are_decided_and_their_late_spans_follow_that_at_the_new_owner()
    {
        var (a, b, shardOfA) = await StartTwoNodesAsync();
        var kept = TraceOfShard(shardOfA, salt: 2);
        var dropped = TraceOfShard(shardOfA, salt: 3);

        // Both traces are still buffered on A (no time passes) when A leaves: the hand-off decides them, and writes
        // the decisions to every member before the shard stops.
        Assert.Equal(HttpStatusCode.OK, await SendAsync(a, SpanOf(kept, 1, error: true), SpanOf(dropped, 1, error: false)));
        Assert.Equal("buffered", await StateAtAsync(a, kept));
        await LeaveAsync(a, b);
        Assert.Single(SpansOf(_exporters[0], kept));
        Assert.Equal("kept", await StateAtAsync(b, kept));
        Assert.Equal("dropped", await StateAtAsync(b, dropped));

        await AssertLateSpansFollowAsync(b, kept, dropped);
    }

    /// <summary>Two nodes Up, every shard allocated, and a shard that A hosts.</summary>
    private async Task<(TestNode A, TestNode B, int ShardOfA)> StartTwoNodesAsync()
    {
        var ports = new[] { LoopbackCluster.FreePort(Host), LoopbackCluster.FreePort(Host) };
        var seeds = ports.Select(port => string.Create(CultureInfo.InvariantCulture, $"{Host}:{port}")).ToArray();
        _nodes.AddRange(await Task.WhenAll(ports.Select((port, i) => TestNode.StartAsync(Options(i, port, seeds), _exporters[i], _time))));
        var (a, b) = (_nodes[0], _nodes[1]);
        foreach (var node in _nodes)
        {
            await Poll.UntilAsync(() => TestNode.UpMembers(node.System) == 2, "2 Up members", TimeSpan.FromSeconds(30));
        }

        await Poll.UntilAsync(async () => (await a.AllocationAsync()).Members.Count == 2, "two shard regions", () => "", TimeSpan.FromSeconds(30));

        // A request with a trace of every shard allocates them all.
        var warmUp = Enumerable.Range(0, Shards).Select(shard => SpanOf(TraceOfShard(shard, salt: 1), 1, error: false)).ToArray();
        Assert.Equal(HttpStatusCode.OK, await SendAsync(a, warmUp));
        var allocation = await a.AllocationAsync();
        return (a, b, Enumerable.Range(0, Shards).First(shard => allocation.OwnerOf(shard) == allocation.Self));
    }

    /// <summary>A leaves the way an operator makes it leave, handing its shards off; B becomes the whole cluster.</summary>
    private async Task LeaveAsync(TestNode a, TestNode b)
    {
        using (var leave = await _client.PostAsync(new Uri(a.AdminUri, "/cluster/leave"), null))
        {
            Assert.Equal(HttpStatusCode.Accepted, leave.StatusCode);
        }

        await Poll.UntilAsync(() => a.System.WhenTerminated.IsCompleted, "A's actor system to end", TimeSpan.FromSeconds(60));
        await Poll.UntilAsync(() => Akka.Cluster.Cluster.Get(b.System).State.Members.Count == 1, "B alone in the cluster", TimeSpan.FromSeconds(60));
    }

    /// <summary>Late spans of both traces reach B, with nothing in them that would keep a trace of its own.</summary>
    private async Task AssertLateSpansFollowAsync(TestNode b, TraceId kept, TraceId dropped)
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(b, SpanOf(kept, 2, error: false), SpanOf(dropped, 2, error: false)));

        // The kept trace's late span is exported at once, with the attributes of the policy that kept the trace on A.
        await Poll.UntilAsync(() => SpansOf(_exporters[1], kept).Count == 1, "B to export the kept trace's late span", TimeSpan.FromSeconds(30));
        var late = Assert.Single(SpansOf(_exporters[1], kept));
        Assert.Equal(SpanOf(kept, 2, error: false).SpanId, late.SpanId);
        var policy = Assert.Single(late.Attributes, attribute => attribute.Key == SamplingAttributes.PolicyKey);
        Assert.Equal("keep-errors", policy.Value.StringValue);

        // Neither late span starts a trace on B (it would be "buffered" there), and the dropped one is not exported.
        Assert.Equal("kept", await StateAtAsync(b, kept));
        Assert.Equal("dropped", await StateAtAsync(b, dropped));
        Assert.Empty(SpansOf(_exporters[1], dropped));
    }

    private SamplerOptions Options(int index, int port, string[] seeds) => TestNode.LoopbackOptions(Path.Combine(_directory, $"node-{index}")) with
    {
        PipelineMode = PipelineMode.Sample,
        Sharding = new ShardingOptions { Shards = Shards },
        Sampling = new SamplingOptions
        {
            DecisionWait = DecisionWait,
            Policies = new PolicySetOptions([new StatusCodePolicyOptions("keep-errors", [SpanStatusCode.Error])]),
        },
        Decisions = new DecisionsOptions { Replicate = DecisionReplication.All },
        Cluster = new OtelTailSampler.Cluster.ClusterOptions
        {
            Endpoint = string.Create(CultureInfo.InvariantCulture, $"{Host}:{port}"),
            SeedNodes = seeds,
        },
    };

    private TraceId TraceOfShard(int shard, ulong salt)
    {
        for (ulong low = 1; ; low++)
        {
            var traceId = new TraceId(salt, low);
            if (_router.ShardOf(traceId) == shard)
            {
                return traceId;
            }
        }
    }

    private static Span SpanOf(TraceId traceId, int span, bool error)
    {
        var bytes = new byte[TraceId.Length];
        traceId.WriteTo(bytes);
        var result = OtlpSamples.Span(1, span, parent: span == 1 ? 0 : 1);
        result.TraceId = ByteString.CopyFrom(bytes);
        if (error)
        {
            result.Status = new Status { Code = Status.Types.StatusCode.Error };
        }

        return result;
    }

    private static List<Span> SpansOf(CapturingExporter exporter, TraceId traceId)
    {
        var bytes = new byte[TraceId.Length];
        traceId.WriteTo(bytes);
        var id = ByteString.CopyFrom(bytes);
        return [.. exporter.Traces.SelectMany(request => request.ResourceSpans).SelectMany(resource => resource.ScopeSpans)
            .SelectMany(scope => scope.Spans).Where(span => span.TraceId == id)];
    }

    private async Task<HttpStatusCode> SendAsync(TestNode node, params Span[] spans)
    {
        using var content = new ByteArrayContent(OtlpSamples.Traces(spans).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await _client.PostAsync(new Uri(node.HttpUri, "/v1/traces"), content);
        return response.StatusCode;
    }

    /// <summary>What `otel-sampler trace ID` would show as the trace's status on <paramref name="node"/>.</summary>
    private async Task<string> StateAtAsync(TestNode node, TraceId traceId)
    {
        using var response = await _client.GetAsync(new Uri(node.AdminUri, "/traces/" + traceId));
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return report.RootElement.GetProperty("state").GetString() ?? "";
    }
}
