using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Finds out where the trace shards live, for the admin API: asks the `traces` region for the cluster's sharding
/// statistics. Attached once the region has started; only the sampling pipeline starts one.
/// </summary>
public sealed class TraceShardLocator(int shards)
{
    /// <summary>How long the regions of the cluster get to answer; a region that does not is left out.</summary>
    public static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(5);

    private volatile Attachment? _attached;

    /// <summary>True once the region runs on this node.</summary>
    public bool Started => _attached is not null;

    internal void Attach(ActorSystem system, IActorRef region) => _attached = new Attachment(Akka.Cluster.Cluster.Get(system), region);

    /// <summary>
    /// The members and their shards; null before the region started. Throws <see cref="AskTimeoutException"/> when
    /// the region does not answer in time.
    /// </summary>
    public async Task<TraceShardAllocation?> AllocationAsync(CancellationToken cancellationToken)
    {
        if (_attached is not { } attached)
        {
            return null;
        }

        // The ask waits a little longer than the region waits for the others, so that a slow member is left out
        // rather than failing the whole answer.
        var stats = await attached.Region.Ask<ClusterShardingStats>(new GetClusterShardingStats(StatsTimeout), StatsTimeout + TimeSpan.FromSeconds(1), cancellationToken);
        var self = attached.Cluster.SelfAddress;
        var members = stats.Regions
            .Select(region => new MemberShards(
                // The local region reports its address without host and port.
                (region.Key.HasLocalScope ? self : region.Key).ToString(),
                [.. region.Value.Stats.Keys.Select(id => int.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture)).Order()]))
            .OrderBy(member => member.Address, StringComparer.Ordinal)
            .ToList();
        var hosted = members.SelectMany(member => member.Shards).Distinct().Count();
        return new TraceShardAllocation(shards, self.ToString(), members, Math.Max(0, shards - hosted));
    }

    private sealed record Attachment(Akka.Cluster.Cluster Cluster, IActorRef Region);
}
