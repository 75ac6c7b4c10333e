namespace OtelTailSampler.LoadGen;

/// <summary>What holding generated traces in the trace shards cost, measured on the managed heap.</summary>
/// <param name="Spans">Spans buffered when measured.</param>
/// <param name="Traces">Traces buffered when measured.</param>
/// <param name="SpanWireBytes">The spans' own bytes (each Span message, without its field tag and length).</param>
/// <param name="RequestBytes">The requests the spans arrived in, which the buffer holds whole (resources and scopes included).</param>
/// <param name="HeapBytes">Managed heap growth after a full collection: everything the buffered traces keep alive.</param>
/// <param name="AccountedBytes">What the trace shards themselves count (bytes_buffered: span bytes plus their per-span bookkeeping).</param>
public sealed record BufferMemoryResult(long Spans, long Traces, long SpanWireBytes, long RequestBytes, long HeapBytes, long AccountedBytes)
{
    /// <summary>Heap bytes per buffered span beyond the span's own wire bytes: the buffer's true overhead.</summary>
    public double OverheadBytesPerSpan => (HeapBytes - SpanWireBytes) / (double)Math.Max(1, Spans);

    public double WireBytesPerSpan => SpanWireBytes / (double)Math.Max(1, Spans);

    /// <summary>The trace shards' own overhead figure per span (<see cref="AccountedBytes"/> less the wire bytes).</summary>
    public double AccountedOverheadBytesPerSpan => (AccountedBytes - SpanWireBytes) / (double)Math.Max(1, Spans);
}
