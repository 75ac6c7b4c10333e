namespace OtelTailSampler.Sharding;

/// <summary>A question to a shard worker about one trace; the worker answers on its own thread, where its state lives.</summary>
internal sealed class TraceLookup(TraceId traceId, int shard)
{
    public TraceId TraceId { get; } = traceId;

    public int Shard { get; } = shard;

    public TaskCompletionSource<TraceState> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
