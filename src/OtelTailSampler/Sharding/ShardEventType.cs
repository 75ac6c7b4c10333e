namespace OtelTailSampler.Sharding;

/// <summary>The events a shard journals, in the order a trace goes through them, and the one event of an outbox.</summary>
public enum ShardEventType
{
    /// <summary>
    /// Payload: the ExportTraceServiceRequest as the client sent it (or, for a part that came from another node, the
    /// part as that node wrote it); the shard's spans are those of its traces. The shards of one request on one node
    /// carry the same bytes, which the journal stores once per commit.
    /// </summary>
    SpansAppended = 1,

    /// <summary>Payload: trace ID, policy index and adjusted count of a kept trace not yet delivered.</summary>
    TraceKept = 2,

    /// <summary>
    /// Payload: trace ID, its decision and the last SpansAppended event it covers; the trace needs nothing more from
    /// the journal up to that event (later events hold late spans, which replay brings back).
    /// </summary>
    TraceCompleted = 3,

    /// <summary>
    /// Payload: an ExportMetricsServiceRequest or ExportLogsServiceRequest as the client sent it, in its signal's
    /// outbox stream; deleted once the exporter has delivered it.
    /// </summary>
    OutboxAppended = 4,
}
