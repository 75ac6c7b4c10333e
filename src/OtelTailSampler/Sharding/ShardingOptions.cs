namespace OtelTailSampler.Sharding;

/// <summary>sampler.sharding: how trace IDs map to shards and shards to workers.</summary>
public sealed record ShardingOptions
{
    /// <summary>Number of shards; fixed for the life of a cluster, because it decides where every trace lives.</summary>
    public int Shards { get; init; } = 100;

    /// <summary>Shard workers on this node; 0 means one per core.</summary>
    public int Workers { get; init; }

    public int EffectiveWorkers => Workers > 0 ? Workers : Environment.ProcessorCount;
}
