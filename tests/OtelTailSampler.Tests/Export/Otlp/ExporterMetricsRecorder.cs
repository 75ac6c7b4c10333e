using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Tests.Export.Otlp;

/// <summary>
/// A meter factory whose meters only this recorder listens to, so that tests running in parallel do not see
/// each other's measurements. Sums the exporter's counters per instrument and signal tag.
/// </summary>
internal sealed class ExporterMetricsRecorder : IMeterFactory
{
    private readonly ConcurrentDictionary<(string Instrument, string? Signal, string? Outcome), long> _totals = new();
    private readonly ConcurrentDictionary<string, byte> _labels = new();
    private readonly List<Meter> _meters = [];
    private readonly MeterListener _listener = new();

    public ExporterMetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == this)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? signal = null;
            string? outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "signal")
                {
                    signal = tag.Value as string;
                }
                else if (tag.Key == "outcome")
                {
                    outcome = tag.Value as string;
                }

                _labels.TryAdd(tag.Key, 0);
            }

            _totals.AddOrUpdate((instrument.Name, signal, outcome), value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public IReadOnlyList<string> MeterNames
    {
        get
        {
            lock (_meters)
            {
                return [.. _meters.Select(m => m.Name)];
            }
        }
    }

    /// <summary>Every label key any measurement carried.</summary>
    public IReadOnlyCollection<string> Labels => [.. _labels.Keys];

    public long Exported(OtlpSignal signal) => Total("otelsampler.exporter.items_exported", signal);

    /// <summary>Items lost for good.</summary>
    public long Dropped(OtlpSignal signal) => Total("otelsampler.exporter.items_dropped", signal);

    /// <summary>Items given up on that their caller keeps durably.</summary>
    public long Returned(OtlpSignal signal) => Total("otelsampler.exporter.items_returned", signal);

    public long Retries(OtlpSignal signal) => Total("otelsampler.exporter.retries", signal);

    /// <summary>Attempts with <paramref name="outcome"/>: success, retryable or permanent.</summary>
    public long Attempts(OtlpSignal signal, string outcome) => Total("otelsampler.exporter.attempts", signal, outcome);

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
        }
    }

    private long Total(string instrument, OtlpSignal signal, string? outcome = null) =>
        _totals.GetValueOrDefault((instrument, signal.ToString().ToLowerInvariant(), outcome));
}
