namespace OtelTailSampler.Persistence;

/// <summary>A stored event as replay returns it; <see cref="WrittenAtUnixMs"/> is when the journal committed it.</summary>
public sealed record JournalEvent(string PersistenceId, long SequenceNr, int EventType, ReadOnlyMemory<byte> Payload, long WrittenAtUnixMs);
