namespace OtelTailSampler.Persistence;

/// <summary>
/// Consecutive events of one persistence id, numbered from <see cref="FirstSequenceNr"/>, stored all or nothing
/// (Akka's AtomicWrite). Consecutive by construction: the events carry no numbers of their own.
/// </summary>
public sealed record AtomicWrite
{
    public AtomicWrite(string persistenceId, long firstSequenceNr, IReadOnlyList<PendingEvent> events)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(firstSequenceNr, 1);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfZero(events.Count, nameof(events));

        PersistenceId = persistenceId;
        FirstSequenceNr = firstSequenceNr;

        // A copy: the caller's list may change after this, and the write must stay what was counted and checked.
        PendingEvent[] copy = [.. events];
        Events = copy;
        long bytes = 0;
        foreach (var e in copy)
        {
            bytes += e.Payload.Length;
        }

        PayloadBytes = bytes;
    }

    /// <summary>One event.</summary>
    public AtomicWrite(string persistenceId, long sequenceNr, int eventType, ReadOnlyMemory<byte> payload)
        : this(persistenceId, sequenceNr, [new PendingEvent(eventType, payload)])
    {
    }

    public string PersistenceId { get; }

    public long FirstSequenceNr { get; }

    public IReadOnlyList<PendingEvent> Events { get; }

    /// <summary>The sequence number of the last event.</summary>
    public long HighestSequenceNr => FirstSequenceNr + Events.Count - 1;

    /// <summary>The sum of the events' payload lengths.</summary>
    public long PayloadBytes { get; }
}
