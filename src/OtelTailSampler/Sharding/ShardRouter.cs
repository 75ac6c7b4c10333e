namespace OtelTailSampler.Sharding;

/// <summary>
/// Routing kept apart from the workers: trace ID → shard is fixed by the shard count; shard → worker is this
/// node's placement. The cluster replaces the second step (shard → owning node) without touching the first.
/// </summary>
public sealed class ShardRouter
{
    public ShardRouter(int shards, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Shards = shards;
        Workers = workers;
    }

    public int Shards { get; }

    public int Workers { get; }

    public int ShardOf(TraceId traceId) => (int)(traceId.Hash64() % (ulong)Shards);

    public int WorkerOfShard(int shard) => shard % Workers;

    public int WorkerOf(TraceId traceId) => WorkerOfShard(ShardOf(traceId));
}
