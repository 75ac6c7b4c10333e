namespace OtelTailSampler.Sharding;

/// <summary>A question to a trace shard about one trace; the shard answers on its own actor's thread, where its state lives.</summary>
internal sealed class TraceLookup(TraceId traceId, int shard)
{
    public TraceId TraceId { get; } = traceId;

    public int Shard { get; } = shard;

    public TaskCompletionSource<TraceState> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
