namespace OtelTailSampler.Persistence;

/// <summary>One event read back from a segment; <see cref="Entry"/> indexes the segment's summary (its persistence id).</summary>
internal readonly record struct DecodedEvent(int Entry, long SequenceNr, int EventType, ReadOnlyMemory<byte> Payload);
