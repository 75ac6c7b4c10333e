namespace OtelTailSampler.Export.Otlp;

/// <summary>One serialized Export{Signal}ServiceRequest waiting in a signal's queue.</summary>
/// <param name="Durable">Its caller keeps a durable copy: giving up on it returns it rather than dropping it.</param>
internal readonly record struct QueuedRequest(ReadOnlyMemory<byte> Bytes, int ItemCount, Action<ExportResult>? Completed = null, bool Durable = false);
