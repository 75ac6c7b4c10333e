namespace OtelTailSampler.Persistence;

/// <summary>A persistence id's row of journal metadata: the highest sequence number written, and how far its events are deleted.</summary>
internal readonly record struct JournalMetadata(long HighestSequenceNr, long DeletedTo);
