using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using OtelTailSampler.Decisions;

namespace OtelTailSampler.Tests.Decisions;

/// <summary>An actor system on loopback that has joined itself, with DData loaded and the decisions serializer bound.</summary>
public sealed class SingleNodeCluster : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public ActorSystem System { get; private set; } = null!;

    public IActorRef Replicator { get; private set; } = ActorRefs.Nobody;

    public async Task InitializeAsync()
    {
        var config = ConfigurationFactory.ParseString("""
                akka.loglevel = WARNING
                akka.actor.provider = cluster
                akka.remote.dot-netty.tcp.hostname = 127.0.0.1
                akka.remote.dot-netty.tcp.port = 0
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                """)
            .WithFallback(ConfigurationFactory.ParseString(ReplicatedDecisionsSerializer.Hocon));
        System = ActorSystem.Create("decisions", config);

        var cluster = Akka.Cluster.Cluster.Get(System);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(Timeout);

        // Loading DData also binds its own message serializers.
        Replicator = DistributedData.Get(System).Replicator;
    }

    public Task DisposeAsync() => System.Terminate().WaitAsync(Timeout);
}
