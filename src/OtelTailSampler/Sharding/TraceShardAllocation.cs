namespace OtelTailSampler.Sharding;

/// <summary>
/// Which member hosts which trace shard, as the shard region reports it: members sorted by address, each with its
/// shards ascending. A shard is allocated when its first trace arrives, so <see cref="Unallocated"/> are those none
/// has reached since the cluster (or their last owner) started.
/// </summary>
public sealed record TraceShardAllocation(int Shards, string Self, IReadOnlyList<MemberShards> Members, int Unallocated)
{
    /// <summary>The address of the member hosting <paramref name="shard"/>; null when none does.</summary>
    public string? OwnerOf(int shard) => Members.FirstOrDefault(member => member.Shards.Contains(shard))?.Address;
}
