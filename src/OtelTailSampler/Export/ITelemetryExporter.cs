using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export;

/// <summary>
/// Where accepted telemetry leaves the node. A request is a serialized Export{Signal}ServiceRequest;
/// because its only field is a repeated one, concatenating two requests gives a valid request carrying
/// both, which is how exporters batch without re-encoding.
/// </summary>
public interface ITelemetryExporter : IAsyncDisposable
{
    /// <summary>
    /// Queues one serialized request. The exporter takes ownership of <paramref name="request"/>; the caller
    /// must not change it afterwards. Returns false when the exporter's queue is full, so the caller pushes
    /// back on its client instead of dropping data. The exporter alone holds the request: if it gives up on it,
    /// the items are dropped (logged and counted as such).
    /// </summary>
    bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount) => TryEnqueue(signal, request, itemCount, null, durable: false);

    /// <summary>
    /// As <see cref="TryEnqueue(OtlpSignal, ReadOnlyMemory{byte}, int)"/>, and calls <paramref name="completed"/> once
    /// with what became of the request (on an exporter thread; keep it short). This is how a journaled trace
    /// stays in the journal until the backend has it.
    /// </summary>
    /// <param name="durable">
    /// True when the caller holds a durable copy of the request (a journal) and offers it again after
    /// <see cref="ExportResult.Abandoned"/>: giving up on it is then not a loss, so the exporter counts its items
    /// as returned, not dropped, and logs no drop. A <see cref="ExportResult.Refused"/> request is dropped either
    /// way: the backend said no.
    /// </param>
    bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, Action<ExportResult>? completed, bool durable);

    /// <summary>Whether exports are getting through, per signal; what /readyz reports for the exporter.</summary>
    ExporterHealth Health { get; }

    /// <summary>Sends everything queued so far; completes when it was delivered or given up on.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stops taking requests and delivers what is queued. When <paramref name="cancellationToken"/> fires first,
    /// what is still undelivered is given up on, so a dead backend cannot hold shutdown: durable requests are
    /// reported abandoned (their callers keep them), the others are dropped, logged and counted.
    /// </summary>
    Task StopAsync(CancellationToken cancellationToken);
}
