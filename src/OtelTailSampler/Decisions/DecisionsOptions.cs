namespace OtelTailSampler.Decisions;

/// <summary>sampler.decisions: the decision set replicated across the cluster with Akka.DistributedData.</summary>
public sealed record DecisionsOptions
{
    /// <summary>How long a decision stays in the replicated set, for late spans that reach another node.</summary>
    public TimeSpan Ttl { get; init; } = DecisionKeys.DefaultTtl;

    /// <summary>The time slot one replicated key holds; a slot's key is reused once the slot is older than the TTL.</summary>
    public TimeSpan SlotLength { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Trace shards share this many keys per slot (shard % groups).</summary>
    public int ShardGroups { get; init; } = 10;

    public DecisionReplication Replicate { get; init; } = DecisionReplication.Kept;

    /// <summary>How long a shard handed off waits for every member to have its last decisions before it stops anyway.</summary>
    public TimeSpan HandOffWriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The key layout these settings describe.</summary>
    public DecisionKeys Keys() => new(ShardGroups, SlotLength, Ttl);
}
