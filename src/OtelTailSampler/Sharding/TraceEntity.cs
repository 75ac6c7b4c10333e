using OtelTailSampler.Sampling;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The trace entity while it collects: its facts, its span references (a pooled array) and when it is due.
/// Entities live in a slab inside their trace shard's <see cref="TraceBuffer"/>; a generation number tells a reused
/// slot from its last tenant.
/// </summary>
internal struct TraceEntity
{
    public TraceId Id;
    public TraceFacts Facts;
    public SpanRef[]? Spans;
    public int SpanCount;
    public long BufferedBytes;
    public long DueTimestamp;
    public DecisionReason DueReason;
    public int Generation;

    /// <summary>With a journal: the first event holding the trace's spans; truncation stops below it.</summary>
    public long FirstSequence;

    /// <summary>With a journal: the last event holding the trace's spans; its completion covers events up to it.</summary>
    public long LastSequence;
    public bool Live;
}
