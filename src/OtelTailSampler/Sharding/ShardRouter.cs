namespace OtelTailSampler.Sharding;

/// <summary>
/// Trace ID → shard, fixed by the shard count for the life of a cluster (the shard region places shards on nodes).
/// Shard → group (<see cref="Workers"/>) only says how <see cref="TraceRequestSplitter.Split"/> batches a
/// request's spans; the trace shards' paths use one group.
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
