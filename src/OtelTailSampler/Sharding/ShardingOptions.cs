namespace OtelTailSampler.Sharding;

/// <summary>sampler.sharding: how trace IDs map to trace shards.</summary>
public sealed record ShardingOptions
{
    /// <summary>Number of shards; fixed for the life of a cluster, because it decides where every trace lives.</summary>
    public int Shards { get; init; } = 100;
}
