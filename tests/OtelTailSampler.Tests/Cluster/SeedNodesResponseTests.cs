using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Newtonsoft.Json;
using OtelTailSampler.Cluster;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Cluster;

/// <summary>The contact point's answer reads back as Akka's probing client reads it.</summary>
public sealed class SeedNodesResponseTests
{
    [Fact]
    public async Task A_node_names_no_seeds_before_it_joins_and_itself_once_it_is_Up()
    {
        var config = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            akka.remote.dot-netty.tcp.port = 0
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """);
        using var system = ActorSystem.Create(ClusterAddresses.SystemName, config);
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(system);

            // What HttpContactPointBootstrap does with the body.
            var before = JsonConvert.DeserializeObject<HttpBootstrapJsonProtocol.SeedNodes>(SeedNodesResponse.Json(cluster))!;
            Assert.Equal(cluster.SelfAddress, before.SelfNode);
            Assert.Empty(before.Nodes);

            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            cluster.Join(cluster.SelfAddress);
            await up.Task.WaitAsync(TimeSpan.FromSeconds(10));

            // The cluster's state as the node reads it follows the membership a moment later.
            HttpBootstrapJsonProtocol.SeedNodes after = before;
            await Poll.UntilAsync(() =>
            {
                after = JsonConvert.DeserializeObject<HttpBootstrapJsonProtocol.SeedNodes>(SeedNodesResponse.Json(cluster))!;
                return after.Nodes.Count > 0;
            }, "the node to name itself as a seed");
            Assert.Equal(cluster.SelfAddress, after.SelfNode);
            var member = Assert.Single(after.Nodes);
            Assert.Equal(cluster.SelfAddress, member.Node);
            Assert.Equal(cluster.SelfUniqueAddress.Uid, member.NodeUid);
            Assert.Equal(MemberStatus.Up, member.Status);
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
