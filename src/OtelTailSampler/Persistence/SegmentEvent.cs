namespace OtelTailSampler.Persistence;

/// <summary>
/// An event that is already bytes, for a persistent actor over <see cref="SegmentJournalPlugin"/>: its type (0 or
/// more; the journal keeps negative types for itself) and its payload, which the plugin hands to the segment journal
/// as it is. Persisting the same bytes from many actors (one request's spans to many shards) stores them once per
/// commit, because the journal dedups by the memory viewed, not by content.
/// </summary>
public sealed class SegmentEvent
{
    /// <param name="writtenAtUnixMs">On replay, when the event's commit was written; 0 for an event being persisted.</param>
    public SegmentEvent(int eventType, ReadOnlyMemory<byte> payload, long writtenAtUnixMs = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(eventType);
        EventType = eventType;
        Payload = payload;
        WrittenAtUnixMs = writtenAtUnixMs;
    }

    public int EventType { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>
    /// On replay, when the event was committed (Unix milliseconds): what a recovering actor needs to resume timers
    /// from when its data first arrived, since a persistent actor's recovery handler sees only the event.
    /// </summary>
    public long WrittenAtUnixMs { get; }
}
