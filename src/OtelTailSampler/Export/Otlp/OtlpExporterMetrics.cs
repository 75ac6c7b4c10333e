using System.Diagnostics.Metrics;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// The exporter's counters on the "OtelTailSampler" meter, tagged with the signal (traces, metrics, logs).
/// Failed items are the ones dropped: given up after errors, or rejected in a partial success.
/// </summary>
internal sealed class OtlpExporterMetrics : IDisposable
{
    public const string MeterName = "OtelTailSampler";
    public const string ExportedItems = "otel_tail_sampler.exporter.items.exported";
    public const string FailedItems = "otel_tail_sampler.exporter.items.failed";
    public const string Retries = "otel_tail_sampler.exporter.retries";
    public const string SignalTag = "signal";

    private static readonly KeyValuePair<string, object?>[] SignalTags =
        [.. Enum.GetValues<OtlpSignal>().Select(s => new KeyValuePair<string, object?>(SignalTag, s.ToString().ToLowerInvariant()))];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _exported;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retries;

    /// <param name="meterFactory">The host's factory, which owns the meter; without one the exporter owns it.</param>
    public OtlpExporterMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _exported = _meter.CreateCounter<long>(ExportedItems, "{item}", "Spans, data points and log records the backend accepted.");
        _failed = _meter.CreateCounter<long>(FailedItems, "{item}", "Items dropped: not retryable, retries exhausted, or rejected in a partial success.");
        _retries = _meter.CreateCounter<long>(Retries, "{retry}", "Export attempts repeated after a retryable failure.");
    }

    public void Exported(OtlpSignal signal, long items) => _exported.Add(items, SignalTags[(int)signal]);

    public void Failed(OtlpSignal signal, long items) => _failed.Add(items, SignalTags[(int)signal]);

    public void Retried(OtlpSignal signal) => _retries.Add(1, SignalTags[(int)signal]);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
