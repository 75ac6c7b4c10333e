namespace OtelTailSampler.Persistence;

/// <summary>An event to be written: its type (meaningful to the writer only) and its opaque payload.</summary>
public readonly record struct PendingEvent(int EventType, ReadOnlyMemory<byte> Payload);
