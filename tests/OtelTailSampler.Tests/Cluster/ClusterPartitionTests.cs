using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Akka.Remote.Transport;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OtelTailSampler.Hosting;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;
using Xunit.Abstractions;

namespace OtelTailSampler.Tests.Cluster;

/// <summary>
/// Three sampling nodes in this process, on loopback, with Akka.Remote's throttler transport adapter applied so that
/// the test can cut one of them off (the blackhole Akka's TestConductor uses). The majority downs the node cut off;
/// while it is cut off it acknowledges nothing that needs another member, and once it is gone the other two take over
/// its shards and acknowledge every trace again.
/// </summary>
public sealed class ClusterPartitionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Shards = 30;
    private const string Host = "127.0.0.1";
    private static readonly TimeSpan ForwardTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DownUnreachableAfter = TimeSpan.FromSeconds(3);

    // Quick failure detection; the throttler adapter makes addresses akka.trttl.tcp://, so the seeds are written as such.
    private const string AkkaHocon = """
        akka.remote.dot-netty.tcp.applied-adapters = [trttl]
        akka.cluster.failure-detector.heartbeat-interval = 200ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 1s
        akka.cluster.unreachable-nodes-reaper-interval = 250ms
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-partition-").FullName;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(15) };
    private readonly List<TestNode> _nodes = [];
    private readonly ShardRouter _router = new(Shards, workers: 1);
    private int _round;

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
    public async Task A_node_cut_off_is_downed_by_the_majority_acknowledges_nothing_meanwhile_and_the_majority_takes_over_its_shards()
    {
        var clock = Stopwatch.StartNew();
        var ports = Enumerable.Range(0, 3).Select(_ => LoopbackCluster.FreePort(Host)).ToArray();
        var seeds = ports.Select(port => string.Create(CultureInfo.InvariantCulture, $"akka.trttl.tcp://otel-sampler@{Host}:{port}")).ToArray();
        _nodes.AddRange(await Task.WhenAll(ports.Select((port, i) => TestNode.StartAsync(Options(i, port, seeds), new CapturingExporter()))));
        var (a, b, c) = (_nodes[0], _nodes[1], _nodes[2]);
        var systems = _nodes.Select(node => node.System).ToArray();

        // 1. Three members Up, as each of them sees it, and the shard region of each known to the coordinator.
        foreach (var system in systems)
        {
            await Poll.UntilAsync(() => TestNode.UpMembers(system) == 3, $"3 Up members at {Akka.Cluster.Cluster.Get(system).SelfAddress}", TimeSpan.FromSeconds(30));
        }

        output.WriteLine($"{clock.Elapsed}: three members Up");
        await Poll.UntilAsync(async () => (await a.AllocationAsync()).Members.Count == 3, "three shard regions", () => "", TimeSpan.FromSeconds(30));

        // 2. Before the cut each node acknowledges traces of every shard; the shards are spread over the three.
        foreach (var node in _nodes)
        {
            Assert.Equal(HttpStatusCode.OK, await SendAllShardsAsync(node));
        }

        var before = await a.AllocationAsync();
        Assert.Equal(0, before.Unallocated);
        var addressOfC = Akka.Cluster.Cluster.Get(systems[2]).SelfAddress;
        output.WriteLine($"{clock.Elapsed}: shards before the cut: {Describe(before)}");
        Assert.All(before.Members, member => Assert.NotEmpty(member.Shards));

        // 3. Cut C off from A and B, both directions, on both sides.
        var addresses = systems.Select(system => Akka.Cluster.Cluster.Get(system).SelfAddress).ToArray();
        Assert.True(await BlackholeAsync(systems[0], addresses[2]));
        Assert.True(await BlackholeAsync(systems[1], addresses[2]));
        Assert.True(await BlackholeAsync(systems[2], addresses[0]));
        Assert.True(await BlackholeAsync(systems[2], addresses[1]));
        output.WriteLine($"{clock.Elapsed}: C ({addressOfC}) cut off");

        // 4. Meanwhile, every request C gets needs shards A and B own: none is acknowledged, neither while C still runs
        // (503 after forward-timeout) nor once it stopped (the connection is refused).
        var answersOfC = new List<string>();
        var sendingToC = Task.Run(async () =>
        {
            while (!systems[2].WhenTerminated.IsCompleted)
            {
                var sent = clock.Elapsed;
                var answer = await TrySendAllShardsAsync(c) + $" (sent at {sent.TotalSeconds:F1}s, answered at {clock.Elapsed.TotalSeconds:F1}s)";
                lock (answersOfC)
                {
                    answersOfC.Add(answer);
                }
            }

            // One more after the node stopped.
            var last = await TrySendAllShardsAsync(c) + " (after)";
            lock (answersOfC)
            {
                answersOfC.Add(last);
            }
        });

        // The majority downs C: its actor system ends and the node stops, downed; A and B see each other Up, and only that.
        await Poll.UntilAsync(() => systems[2].WhenTerminated.IsCompleted, "C's actor system to terminate", TimeSpan.FromSeconds(40));
        output.WriteLine($"{clock.Elapsed}: C's actor system terminated");
        Assert.True(c.Node.WasDowned, "C stopped, but not because the cluster downed it");
        await c.Node.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{clock.Elapsed}: C stopped");
        foreach (var system in systems[..2])
        {
            await Poll.UntilAsync(() => TestNode.UpMembers(system) == 2 && Akka.Cluster.Cluster.Get(system).State.Members.Count == 2,
                $"A and B alone Up at {Akka.Cluster.Cluster.Get(system).SelfAddress}", TimeSpan.FromSeconds(30));
        }

        output.WriteLine($"{clock.Elapsed}: A and B are the cluster");
        await sendingToC.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"answers of C after the cut: {string.Join(", ", answersOfC)}");
        Assert.NotEmpty(answersOfC);
        Assert.DoesNotContain(answersOfC, answer => answer.StartsWith("200", StringComparison.Ordinal));
        Assert.Contains(answersOfC, answer => answer.StartsWith("503", StringComparison.Ordinal));

        // 5. The shards C owned move to A and B, which then acknowledge traces of every shard again.
        foreach (var node in new[] { a, b })
        {
            var last = "";
            await Poll.UntilAsync(async () => (last = await TrySendAllShardsAsync(node)) == "200", "a request with traces of every shard acknowledged",
                () => last, TimeSpan.FromSeconds(30));
        }

        var after = await a.AllocationAsync();
        output.WriteLine($"{clock.Elapsed}: shards after the downing: {Describe(after)}");
        Assert.Equal(0, after.Unallocated);
        Assert.DoesNotContain(after.Members, member => member.Address == addressOfC.ToString());
    }

    private SamplerOptions Options(int index, int port, string[] seeds) => TestNode.LoopbackOptions(Path.Combine(_directory, $"node-{index}")) with
    {
        PipelineMode = PipelineMode.Sample,
        Sharding = new ShardingOptions { Shards = Shards },
        Sampling = new SamplingOptions { Policies = new PolicySetOptions([new AlwaysSamplePolicyOptions("keep-all")]) },
        Cluster = new OtelTailSampler.Cluster.ClusterOptions
        {
            Endpoint = string.Create(CultureInfo.InvariantCulture, $"{Host}:{port}"),
            SeedNodes = seeds,
            DownUnreachableAfter = DownUnreachableAfter,
            ForwardTimeout = ForwardTimeout,
            AkkaHocon = AkkaHocon,
        },
    };

    private static string Describe(TraceShardAllocation allocation) =>
        string.Join("; ", allocation.Members.Select(member => $"{member.Address}: {member.Shards.Count}")) + $"; unallocated {allocation.Unallocated}";

    /// <summary>What Akka's TestConductor does for a blackhole: every message to and from <paramref name="peer"/> is dropped.</summary>
    private static Task<bool> BlackholeAsync(ActorSystem system, Address peer) =>
        ((IRemoteActorRefProvider)((ExtendedActorSystem)system).Provider).Transport.ManagementCommand(new SetThrottle(peer, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance));

    private async Task<HttpStatusCode> SendAllShardsAsync(TestNode node)
    {
        using var content = AllShardsRequest();
        using var response = await _client.PostAsync(new Uri(node.HttpUri, "/v1/traces"), content);
        return response.StatusCode;
    }

    /// <summary>The status code, or what kept the request from being answered.</summary>
    private async Task<string> TrySendAllShardsAsync(TestNode node)
    {
        try
        {
            return ((int)await SendAllShardsAsync(node)).ToString(CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException e)
        {
            return $"no answer ({e.HttpRequestError})";
        }
        catch (TaskCanceledException)
        {
            return "timed out";
        }
    }

    /// <summary>A request with one new trace for each shard, so that every owner of a shard has to journal a part of it.</summary>
    private ByteArrayContent AllShardsRequest()
    {
        var round = (ulong)Interlocked.Increment(ref _round);
        var spans = new OpenTelemetry.Proto.Trace.V1.Span[Shards];
        var found = 0;
        var bytes = new byte[TraceId.Length];
        for (ulong low = 1; found < Shards; low++)
        {
            var traceId = new TraceId(round, low);
            var shard = _router.ShardOf(traceId);
            if (spans[shard] is null)
            {
                traceId.WriteTo(bytes);
                var span = OtlpSamples.Span(1, found + 1);
                span.TraceId = ByteString.CopyFrom(bytes);
                spans[shard] = span;
                found++;
            }
        }

        var content = new ByteArrayContent(OtlpSamples.Traces(spans).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }
}
