namespace OtelTailSampler.Export.Otlp;

/// <summary>One serialized Export{Signal}ServiceRequest waiting in a signal's queue.</summary>
internal readonly record struct QueuedRequest(ReadOnlyMemory<byte> Bytes, int ItemCount, Action<ExportResult>? Completed = null);
