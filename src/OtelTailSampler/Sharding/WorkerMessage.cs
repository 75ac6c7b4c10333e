using OtelTailSampler.Export;

namespace OtelTailSampler.Sharding;

/// <summary>What a shard worker's inbox carries: a struct, so posting allocates nothing of its own.</summary>
internal readonly record struct WorkerMessage(
    WorkerMessageKind Kind, SpanBatch? Batch, TaskCompletionSource? Done, long Id = 0, ExportResult Result = default, ShardDecisionRecord Record = default, int Shard = 0,
    TraceLookup? Lookup = null)
{
    public static WorkerMessage Spans(SpanBatch batch) => new(WorkerMessageKind.Spans, batch, null);

    public static WorkerMessage Tick { get; } = new(WorkerMessageKind.Tick, null, null);

    public static WorkerMessage Barrier(TaskCompletionSource done) => new(WorkerMessageKind.Barrier, null, done);
}
