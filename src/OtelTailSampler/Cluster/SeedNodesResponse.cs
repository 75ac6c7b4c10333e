using System.Collections.Immutable;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Newtonsoft.Json;

namespace OtelTailSampler.Cluster;

/// <summary>
/// The body of a contact point's GET /bootstrap/seed-nodes, as Akka.Management's own route writes it
/// (HttpClusterBootstrapRoutes): Akka's <see cref="HttpBootstrapJsonProtocol.SeedNodes"/> through Newtonsoft.Json,
/// the serializer its probing client (HttpContactPointBootstrap) reads it back with, so the shape is theirs.
/// </summary>
public static class SeedNodesResponse
{
    /// <summary>Akka's default for how many members one answer names (contact-point.max-seed-nodes-to-expose).</summary>
    public const int MaxSeedNodes = 5;

    /// <summary>
    /// This node's address and the members a joining node may use as seeds: reachable, Joining, Up or WeaklyUp. None
    /// while this node is leaving or not a member: a prober then keeps probing, and the lowest contact point forms
    /// the cluster once none of them is in one.
    /// </summary>
    public static string Json(Akka.Cluster.Cluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var self = cluster.SelfMember;
        var members = ImmutableList<HttpBootstrapJsonProtocol.ClusterMember>.Empty;
        if (self.Status is not (MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed))
        {
            var state = cluster.State;
            var candidates = state.Members
                .Where(member => !state.Unreachable.Contains(member) && member.Status is MemberStatus.Joining or MemberStatus.Up or MemberStatus.WeaklyUp)
                .ToArray();

            // Shuffled as Akka's route does, so that joining nodes spread over the members.
            Random.Shared.Shuffle(candidates);
            members = [.. candidates.Take(MaxSeedNodes).Select(member =>
                new HttpBootstrapJsonProtocol.ClusterMember(member.UniqueAddress.Address, member.UniqueAddress.Uid, member.Status, member.Roles))];
        }

        return JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(self.UniqueAddress.Address, members));
    }
}
