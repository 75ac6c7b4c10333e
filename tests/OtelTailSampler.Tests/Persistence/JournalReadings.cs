using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>What a metrics backend would read from one <see cref="JournalMetrics"/>: counter sums, commits by outcome, the backlog gauge.</summary>
internal sealed class JournalReadings : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _sums = new(StringComparer.Ordinal);
    private long _queuedWrites;

    public JournalReadings(JournalMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "otelsampler.journal.queued_writes")
            {
                Interlocked.Exchange(ref _queuedWrites, value);
            }
            else
            {
                _sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                _sums.AddOrUpdate($"{instrument.Name}|{tag.Value}", 1, (_, count) => count + 1);
            }
        });
        _listener.Start();
    }

    public long QueuedWrites()
    {
        _listener.RecordObservableInstruments();
        return Interlocked.Read(ref _queuedWrites);
    }

    public double Sum(string instrument) => _sums.GetValueOrDefault(instrument);

    /// <summary>Commits timed with this outcome (committed, rejected, failed).</summary>
    public double Commits(string outcome) => _sums.GetValueOrDefault($"otelsampler.journal.commit_duration|{outcome}");

    public void Dispose() => _listener.Dispose();
}
