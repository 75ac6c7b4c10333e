using System.Diagnostics.Metrics;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export;

/// <summary>
/// The exporters' counters on the "OtelTailSampler" meter. Labels are bounded: the signal (traces, metrics, logs)
/// and, on attempts, the outcome; never an endpoint or error text. Every item given up on is either dropped (gone:
/// refused by the backend, rejected in a partial success, or held by nobody else) or returned (its caller keeps a
/// durable copy and offers it again).
/// </summary>
internal sealed class ExporterMetrics : IDisposable
{
    public const string MeterName = "OtelTailSampler";
    public const string Attempts = "otelsampler.exporter.attempts";
    public const string ItemsExported = "otelsampler.exporter.items_exported";
    public const string ItemsDropped = "otelsampler.exporter.items_dropped";
    public const string ItemsReturned = "otelsampler.exporter.items_returned";
    public const string Retries = "otelsampler.exporter.retries";
    public const string SignalTag = "signal";
    public const string OutcomeTag = "outcome";

    private static readonly string[] SignalNames = [.. Enum.GetValues<OtlpSignal>().Select(s => s.ToString().ToLowerInvariant())];

    private static readonly KeyValuePair<string, object?>[] SignalTags =
        [.. SignalNames.Select(name => new KeyValuePair<string, object?>(SignalTag, name))];

    // By signal, then outcome (success, retryable, permanent).
    private static readonly KeyValuePair<string, object?>[][][] AttemptTags =
    [
        .. SignalNames.Select(signal => Enum.GetValues<ExportOutcome>()
            .Select(outcome => new KeyValuePair<string, object?>[] { new(SignalTag, signal), new(OutcomeTag, outcome.ToString().ToLowerInvariant()) })
            .ToArray()),
    ];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _exported;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _returned;
    private readonly Counter<long> _retries;

    /// <param name="meterFactory">The host's factory, which owns the meter; without one the exporter owns it.</param>
    public ExporterMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _attempts = _meter.CreateCounter<long>(Attempts, "{attempt}", "Export attempts (OTLP sends, file writes), by outcome: success, retryable or permanent failure.");
        _exported = _meter.CreateCounter<long>(ItemsExported, "{item}", "Spans, data points and log records the backend accepted.");
        _dropped = _meter.CreateCounter<long>(ItemsDropped, "{item}", "Items lost: refused by the backend, rejected in a partial success, or given up on with no durable copy elsewhere.");
        _returned = _meter.CreateCounter<long>(ItemsReturned, "{item}", "Items given up on that their caller keeps durably (the journal) and offers again.");
        _retries = _meter.CreateCounter<long>(Retries, "{retry}", "Export attempts repeated after a retryable failure.");
    }

    public void Attempted(OtlpSignal signal, ExportOutcome outcome) => _attempts.Add(1, AttemptTags[(int)signal][(int)outcome]);

    public void Exported(OtlpSignal signal, long items) => Add(_exported, signal, items);

    public void Dropped(OtlpSignal signal, long items) => Add(_dropped, signal, items);

    public void Returned(OtlpSignal signal, long items) => Add(_returned, signal, items);

    public void Retried(OtlpSignal signal) => _retries.Add(1, SignalTags[(int)signal]);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static void Add(Counter<long> counter, OtlpSignal signal, long items)
    {
        if (items > 0)
        {
            counter.Add(items, SignalTags[(int)signal]);
        }
    }
}
