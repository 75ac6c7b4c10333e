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
    private readonly ConcurrentDictionary<(string Instrument, string? Signal), long> _totals = new();
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
            foreach (var tag in tags)
            {
                if (tag.Key == "signal")
                {
                    signal = tag.Value as string;
                }
            }

            _totals.AddOrUpdate((instrument.Name, signal), value, (_, total) => total + value);
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

    public long Exported(OtlpSignal signal) => Total("otel_tail_sampler.exporter.items.exported", signal);

    public long Failed(OtlpSignal signal) => Total("otel_tail_sampler.exporter.items.failed", signal);

    public long Retries(OtlpSignal signal) => Total("otel_tail_sampler.exporter.retries", signal);

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

    private long Total(string instrument, OtlpSignal signal) =>
        _totals.GetValueOrDefault((instrument, signal.ToString().ToLowerInvariant()));
}
