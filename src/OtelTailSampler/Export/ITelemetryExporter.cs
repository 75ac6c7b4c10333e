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
    /// back on its client instead of dropping data.
    /// </summary>
    bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount) => TryEnqueue(signal, request, itemCount, null);

    /// <summary>
    /// As <see cref="TryEnqueue(OtlpSignal, ReadOnlyMemory{byte}, int)"/>, and calls <paramref name="completed"/> once
    /// with what became of the request (on an exporter thread; keep it short). This is how a journaled trace
    /// stays in the journal until the backend has it.
    /// </summary>
    bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, Action<ExportResult>? completed);

    /// <summary>Sends everything queued so far; completes when it was delivered or given up on.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stops taking requests and delivers what is queued. When <paramref name="cancellationToken"/> fires first,
    /// what is still undelivered is given up on, logged and counted, so a dead backend cannot hold shutdown.
    /// </summary>
    Task StopAsync(CancellationToken cancellationToken);
}
