namespace OtelTailSampler.Persistence;

/// <summary>
/// An event journal: per persistence id (a shard, such as <c>shard-0042</c>) an append-only sequence of events
/// numbered 1, 2, 3, … — the native counterpart of Akka.Persistence's AsyncWriteJournal. Events are opaque bytes
/// with an integer type. Each persistence id has a single writer; the journal enforces it by accepting only the
/// next sequence number, so a second writer (a node that wrongly believes it owns a shard) fails instead of forking
/// the log. Implementations are safe to call concurrently.
/// </summary>
public interface IJournal : IAsyncDisposable
{
    /// <summary>
    /// Commits every write in ONE transaction (group commit): when the task completes, all of them are durable as
    /// the configured sync mode promises; when it fails, none of them is visible. A write whose first sequence number
    /// is not the persistence id's highest + 1 (counting earlier writes in the same call) fails the call with
    /// <see cref="SequenceNumberConflictException"/>.
    /// </summary>
    Task WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>The highest sequence number ever written for the id, deleted events included; 0 if none.</summary>
    Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The stored events of an id with <paramref name="fromSequenceNr"/> ≤ sequence number ≤ <paramref name="toSequenceNr"/>,
    /// in order, at most <paramref name="max"/> of them. Each event's checksum is verified: at the first damaged or
    /// missing event replay logs the problem and ends, returning nothing after it, so recovery resumes from the last
    /// valid event instead of crashing. Database failures (not corruption) are thrown.
    /// </summary>
    IAsyncEnumerable<JournalEvent> ReplayAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every stored event of every id, interleaved in the order they were written, each id's events checked as
    /// <see cref="ReplayAsync"/> checks them (an id whose events are damaged ends there; the others go on). Recovery
    /// reads the whole journal with it in one pass.
    /// </summary>
    IAsyncEnumerable<JournalEvent> ReplayAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the id's events up to and including <paramref name="toSequenceNr"/> (capped at the highest). The
    /// highest sequence number is kept, so numbering continues after it even when every event is deleted.
    /// </summary>
    Task DeleteUpToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return DeleteUpToAsync([(persistenceId, toSequenceNr)], cancellationToken);
    }

    /// <summary>Deletes up to a sequence number for several ids at once, in one transaction.</summary>
    Task DeleteUpToAsync(IReadOnlyList<(string PersistenceId, long ToSequenceNr)> deletions, CancellationToken cancellationToken = default);

    /// <summary>Every id that was ever written, in ordinal order, including ids whose events are all deleted.</summary>
    IAsyncEnumerable<string> PersistenceIdsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The bytes the journal's stored events take: its segments, one per commit, deflated, each kept until every
    /// event in it is deleted. Cheap enough to ask every tick; the database adds its own page overhead on top. Drives
    /// max-journal-bytes.
    /// </summary>
    Task<long> ApproximateSizeBytesAsync(CancellationToken cancellationToken = default);
}
