namespace OtelTailSampler.Sharding;

/// <summary>The spans of one request that fall in one trace shard.</summary>
internal readonly record struct ShardPart(int Shard, SpanBatch Batch);
