namespace OtelTailSampler.Persistence;

/// <summary>Bounds of the <see cref="JournalWriter"/>'s group commit.</summary>
public sealed record JournalWriterOptions
{
    /// <summary>
    /// Atomic writes committed in one transaction at most. A request brings one write per shard it touches
    /// (hundreds), so this is large enough for a batch to span many requests; the byte bound limits it first.
    /// </summary>
    public int MaxBatchWrites { get; init; } = 16_384;

    /// <summary>
    /// Payload bytes committed in one transaction at most, counting bytes shared by several events once, as the
    /// segment stores them (a single larger write still goes alone).
    /// </summary>
    public long MaxBatchBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Writes waiting for a commit; when full, <see cref="JournalWriter.AppendAsync"/> waits for room.</summary>
    public int QueueCapacity { get; init; } = 8192;
}
