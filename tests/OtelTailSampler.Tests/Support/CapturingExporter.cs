using System.Collections.Concurrent;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Tests.Support;

/// <summary>An exporter that keeps what it is given, and can play a full queue.</summary>
public sealed class CapturingExporter : ITelemetryExporter
{
    private readonly ConcurrentQueue<(OtlpSignal Signal, byte[] Request)> _requests = new();

    private readonly ConcurrentQueue<Action<ExportResult>> _withheld = new();

    /// <summary>When true, TryEnqueue answers false as a full queue does.</summary>
    public bool Full { get; set; }

    /// <summary>When true, requests are taken but their delivery is not confirmed (a backend that never answers).</summary>
    public bool WithholdDeliveries { get; set; }

    public IReadOnlyList<(OtlpSignal Signal, byte[] Request)> Requests => [.. _requests];

    public IReadOnlyList<ExportTraceServiceRequest> Traces =>
        [.. _requests.Where(r => r.Signal == OtlpSignal.Traces).Select(r => ExportTraceServiceRequest.Parser.ParseFrom(r.Request))];

    public IReadOnlyList<ExportMetricsServiceRequest> Metrics =>
        [.. _requests.Where(r => r.Signal == OtlpSignal.Metrics).Select(r => ExportMetricsServiceRequest.Parser.ParseFrom(r.Request))];

    public IReadOnlyList<ExportLogsServiceRequest> Logs =>
        [.. _requests.Where(r => r.Signal == OtlpSignal.Logs).Select(r => ExportLogsServiceRequest.Parser.ParseFrom(r.Request))];

    public bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount) => TryEnqueue(signal, request, itemCount, null, durable: false);

    public bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, Action<ExportResult>? completed, bool durable)
    {
        if (Full)
        {
            return false;
        }

        _requests.Enqueue((signal, request.ToArray()));
        if (WithholdDeliveries)
        {
            if (completed is not null)
            {
                _withheld.Enqueue(completed);
            }
        }
        else
        {
            completed?.Invoke(ExportResult.Delivered);
        }

        return true;
    }

    /// <summary>Confirms every delivery withheld so far, as a backend that answers at last.</summary>
    public void DeliverWithheld()
    {
        while (_withheld.TryDequeue(out var completed))
        {
            completed(ExportResult.Delivered);
        }
    }

    /// <summary>Nothing here can fail to export.</summary>
    public ExporterHealth Health => ExporterHealth.AlwaysHealthy;

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
