namespace OtelTailSampler.Persistence;

/// <summary>The events a segment holds of one persistence id: sequence numbers <see cref="FirstSequenceNr"/> to <see cref="LastSequenceNr"/>.</summary>
internal readonly record struct SegmentEntry(string PersistenceId, long FirstSequenceNr, long LastSequenceNr);
