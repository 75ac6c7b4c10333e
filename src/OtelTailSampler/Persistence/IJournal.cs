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
    /// Deletes the id's events up to and including <paramref name="toSequenceNr"/> (capped at the highest). The
    /// highest sequence number is kept, so numbering continues after it even when every event is deleted.
    /// </summary>
    Task DeleteUpToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default);

    /// <summary>Every id that was ever written, in ordinal order, including ids whose events are all deleted.</summary>
    IAsyncEnumerable<string> PersistenceIdsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The payload bytes of the events still stored (written and not yet deleted), kept as a running total so it is
    /// cheap to ask often; the database takes somewhat more room for its rows and indexes. Drives max-journal-bytes.
    /// </summary>
    Task<long> ApproximateSizeBytesAsync(CancellationToken cancellationToken = default);
}
