using OtelTailSampler.Export;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.LoadGen;

/// <summary>An exporter that takes everything and keeps nothing: for measuring what is in front of it.</summary>
public sealed class DiscardingExporter : ITelemetryExporter
{
    private long _requests;
    private long _items;

    public long Requests => Interlocked.Read(ref _requests);

    public long Items => Interlocked.Read(ref _items);

    public bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount) => TryEnqueue(signal, request, itemCount, null, durable: false);

    public bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, Action<ExportResult>? completed, bool durable)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _items, itemCount);
        completed?.Invoke(ExportResult.Delivered);
        return true;
    }

    /// <summary>Nothing here can fail to export.</summary>
    public ExporterHealth Health => ExporterHealth.AlwaysHealthy;

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
