namespace OtelTailSampler.Sampling;

/// <summary>What a decision reads: the trace's facts, its ID, and the clock for stateful policies.</summary>
internal readonly ref struct DecisionContext
{
    private readonly ref readonly TraceFacts _facts;

    public DecisionContext(ref readonly TraceFacts facts, ReadOnlySpan<byte> traceId, long timestamp)
    {
        _facts = ref facts;
        TraceId = traceId;
        Timestamp = timestamp;
    }

    public ref readonly TraceFacts Facts => ref _facts;

    public ReadOnlySpan<byte> TraceId { get; }

    /// <summary>A <see cref="TimeProvider.GetTimestamp"/> reading; only read by stateful policies.</summary>
    public long Timestamp { get; }
}
