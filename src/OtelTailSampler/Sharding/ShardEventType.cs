namespace OtelTailSampler.Sharding;

/// <summary>The events a shard journals, in the order a trace goes through them, and the one event of an outbox.</summary>
public enum ShardEventType
{
    /// <summary>
    /// Payload: the ExportTraceServiceRequest as the client sent it; the shard's spans are those of its traces. Every
    /// shard of a request carries the same bytes, which the journal stores once per commit.
    /// </summary>
    SpansAppended = 1,

    /// <summary>Payload: trace ID, policy index and adjusted count of a kept trace not yet delivered.</summary>
    TraceKept = 2,

    /// <summary>Payload: trace ID and its decision; the trace needs nothing more from the journal.</summary>
    TraceCompleted = 3,

    /// <summary>
    /// Payload: an ExportMetricsServiceRequest or ExportLogsServiceRequest as the client sent it, in its signal's
    /// outbox stream; deleted once the exporter has delivered it.
    /// </summary>
    OutboxAppended = 4,
}
