using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OtelTailSampler.Tests.Support;

/// <summary>Sums the long counters of one meter instance, by instrument name and tag values.</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();

    public MetricRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
            {
                key += $"|{tag.Key}={tag.Value}";
            }

            _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    /// <summary>The sum for an instrument, optionally for one tag value ("reason=timer").</summary>
    public long Sum(string instrument, string? tag = null) =>
        _sums.Where(entry => entry.Key.StartsWith(instrument, StringComparison.Ordinal)
                && (entry.Key.Length == instrument.Length || entry.Key[instrument.Length] == '|')
                && (tag is null || entry.Key.Split('|').Contains(tag)))
            .Sum(entry => entry.Value);

    public void Dispose() => _listener.Dispose();
}
