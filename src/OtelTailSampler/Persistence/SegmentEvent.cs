namespace OtelTailSampler.Persistence;

/// <summary>
/// An event that is already bytes, for a persistent actor over <see cref="SegmentJournalPlugin"/>: its type (0 or
/// more; the journal keeps negative types for itself) and its payload, which the plugin hands to the segment journal
/// as it is. Persisting the same bytes from many actors (one request's spans to many shards) stores them once per
/// commit, because the journal dedups by the memory viewed, not by content.
/// </summary>
public sealed class SegmentEvent
{
    public SegmentEvent(int eventType, ReadOnlyMemory<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(eventType);
        EventType = eventType;
        Payload = payload;
    }

    public int EventType { get; }

    public ReadOnlyMemory<byte> Payload { get; }
}
