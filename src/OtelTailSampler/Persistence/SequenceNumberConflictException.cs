namespace OtelTailSampler.Persistence;

/// <summary>
/// A write did not continue its persistence id's sequence: another writer appended first, or the writer lost
/// track of its numbers. The whole <see cref="IJournal.WriteAsync"/> call was rolled back.
/// </summary>
public sealed class SequenceNumberConflictException : InvalidOperationException
{
    public SequenceNumberConflictException()
        : this("A journal write did not continue its persistence id's sequence")
    {
    }

    public SequenceNumberConflictException(string message)
        : base(message)
    {
        PersistenceId = "";
        WriteIndex = -1;
    }

    public SequenceNumberConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
        PersistenceId = "";
        WriteIndex = -1;
    }

    public SequenceNumberConflictException(string persistenceId, long expectedSequenceNr, long attemptedSequenceNr, int writeIndex)
        : base($"Journal of '{persistenceId}' expects sequence number {expectedSequenceNr} next, but a write starts at " +
               $"{attemptedSequenceNr}: another writer may own it; nothing of the batch was written")
    {
        PersistenceId = persistenceId;
        ExpectedSequenceNr = expectedSequenceNr;
        AttemptedSequenceNr = attemptedSequenceNr;
        WriteIndex = writeIndex;
    }

    public string PersistenceId { get; }

    /// <summary>The highest stored sequence number + 1 at the time of the write.</summary>
    public long ExpectedSequenceNr { get; }

    /// <summary>The first sequence number of the rejected write.</summary>
    public long AttemptedSequenceNr { get; }

    /// <summary>The rejected write's index in the list given to <see cref="IJournal.WriteAsync"/>; -1 if unknown.</summary>
    public int WriteIndex { get; }
}
