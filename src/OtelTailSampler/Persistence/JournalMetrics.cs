using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OtelTailSampler.Persistence;

/// <summary>
/// The journal writer's instruments on the "OtelTailSampler" meter: how long commits take, what they carry,
/// and how many writes wait for one. Tag values are preallocated, so recording allocates nothing.
/// </summary>
public sealed class JournalMetrics : IDisposable
{
    // Commits take from a fraction of a millisecond (SQLite, sync = normal) to seconds (a remote database in trouble).
    private static readonly double[] CommitBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly KeyValuePair<string, object?> Committed = new("outcome", "committed");
    private static readonly KeyValuePair<string, object?> Rejected = new("outcome", "rejected");
    private static readonly KeyValuePair<string, object?> Failed = new("outcome", "failed");

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _committedBytes;
    private readonly Counter<long> _committedWrites;
    private Func<long>? _queuedWrites;

    /// <param name="meterFactory">The host's factory, which owns the meter; without one these metrics own it.</param>
    public JournalMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(Otlp.ReceiverMetrics.MeterName) ?? new Meter(Otlp.ReceiverMetrics.MeterName);
        _commitDuration = _meter.CreateHistogram("otelsampler.journal.commit_duration", "s",
            "Time one journal transaction took, by outcome (committed, rejected for a sequence conflict, failed).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CommitBuckets });
        _committedBytes = _meter.CreateCounter<long>("otelsampler.journal.committed_bytes", "By",
            "Request bytes committed to the journal, before deflate; bytes shared by several shards count once.");
        _committedWrites = _meter.CreateCounter<long>("otelsampler.journal.committed_writes", "{write}",
            "Events committed to the journal: a request's spans for each shard they go to, a trace kept, a trace completed.");
        _meter.CreateObservableGauge("otelsampler.journal.queued_writes", () => _queuedWrites?.Invoke() ?? 0, "{write}",
            "Writes waiting for their commit: queued, or in the transaction in flight.");
    }

    /// <summary>The meter the instruments belong to, so a listener can tell this node's from another's.</summary>
    public Meter Meter => _meter;

    /// <summary>Wires the backlog gauge to the writer's live figure.</summary>
    public void ObserveBacklog(Func<long> queuedWrites) => _queuedWrites = queuedWrites;

    public void CommitSucceeded(long startTimestamp, int writes, long bytes)
    {
        _commitDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, Committed);
        _committedWrites.Add(writes);
        _committedBytes.Add(bytes);
    }

    public void CommitRejected(long startTimestamp) => _commitDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, Rejected);

    public void CommitFailed(long startTimestamp) => _commitDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, Failed);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
