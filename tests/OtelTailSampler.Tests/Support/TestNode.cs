using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Admin;
using OtelTailSampler.Export;
using OtelTailSampler.Hosting;
using OtelTailSampler.Otlp;
using OtelTailSampler.Pipeline;

namespace OtelTailSampler.Tests.Support;

/// <summary>A real node on loopback with OS-assigned ports.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private TestNode(SamplerNode node) => Node = node;

    public SamplerNode Node { get; }

    public Uri GrpcUri => new($"http://127.0.0.1:{Node.GrpcEndpoint.Port}");

    public Uri HttpUri => new($"http://127.0.0.1:{Node.HttpEndpoint.Port}");

    public Uri AdminUri => new($"http://127.0.0.1:{Node.AdminEndpoint.Port}");

    /// <summary>The node's actor system (it lives on after it has ended, for its cluster state).</summary>
    public ActorSystem System => Node.Services.GetRequiredService<ActorSystem>();

    /// <summary>Members Up as <paramref name="system"/> sees them.</summary>
    public static int UpMembers(ActorSystem system) =>
        Akka.Cluster.Cluster.Get(system).State.Members.Count(member => member.Status == MemberStatus.Up);

    /// <summary>Which member hosts which trace shard, as `GET /cluster/shards` answers it.</summary>
    public async Task<OtelTailSampler.Sharding.TraceShardAllocation> AllocationAsync() =>
        await Node.Services.GetRequiredService<OtelTailSampler.Sharding.TraceShardLocator>().AllocationAsync(CancellationToken.None)
            ?? throw new InvalidOperationException("the shard region has not started");

    /// <summary>
    /// Options for a node that listens on loopback only, on ports the OS picks. Sampling is off: tests of the
    /// receivers and exporters see everything pass through; sampling tests switch it on.
    /// </summary>
    public static SamplerOptions LoopbackOptions(string dataDir) => new()
    {
        PipelineMode = PipelineMode.PassThrough,
        Journal = new OtelTailSampler.Persistence.JournalOptions { Backend = OtelTailSampler.Persistence.JournalBackend.None, SqlitePath = Path.Combine(dataDir, "journal") },
        Node = new NodeOptions { DataDir = dataDir },
        Receivers = new OtlpReceiverOptions { GrpcEndpoint = "127.0.0.1:0", HttpEndpoint = "127.0.0.1:0" },
        Admin = new AdminOptions { Endpoint = "127.0.0.1:0" },
        Cluster = new OtelTailSampler.Cluster.ClusterOptions { Endpoint = "127.0.0.1:0" },
    };

    public static async Task<TestNode> StartAsync(SamplerOptions options, ITelemetryExporter? exporter = null, TimeProvider? timeProvider = null)
    {
        var node = SamplerNode.Create(options, logging => logging.SetMinimumLevel(LogLevel.Warning), exporter, timeProvider);
        await node.StartAsync();
        return new TestNode(node);
    }

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}
