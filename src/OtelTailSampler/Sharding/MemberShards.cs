namespace OtelTailSampler.Sharding;

/// <summary>One member's trace shards, as `GET /cluster/shards` reports them: ascending shard numbers.</summary>
public sealed record MemberShards(string Address, IReadOnlyList<int> Shards);
