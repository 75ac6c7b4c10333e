namespace OtelTailSampler.LoadGen;

/// <summary>
/// The shape of generated traffic. Together with a seed it fixes every byte the load generator sends: batch
/// <c>i</c> is a function of (seed, <c>i</c>, these options) alone, whichever sender produces it.
/// </summary>
public sealed record TrafficOptions
{
    /// <summary>Services in the call graph; the first is the entry point (a frontend) that roots every trace.</summary>
    public int Services { get; init; } = 10;

    /// <summary>Deepest span nesting in a trace, the root being depth 1.</summary>
    public int MaxDepth { get; init; } = 6;

    /// <summary>Most children one span has (calls to other services, database calls, internal work).</summary>
    public int MaxFanOut { get; init; } = 4;

    /// <summary>Most spans in one trace.</summary>
    public int MaxSpansPerTrace { get; init; } = 60;

    /// <summary>Share of traces with a failed span (status ERROR, an exception event, and ERROR on its ancestors).</summary>
    public double ErrorShare { get; init; } = 0.02;

    /// <summary>Share of traces whose root lasts at least <see cref="SlowThreshold"/>; all others last under half of it.</summary>
    public double SlowShare { get; init; } = 0.05;

    public TimeSpan SlowThreshold { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Distinct values of the high-cardinality attributes (enduser.id, the IDs in url.path).</summary>
    public int AttributeCardinality { get; init; } = 1000;

    /// <summary>Mean log records per span; each carries its span's trace and span ID. 0 sends no logs.</summary>
    public double LogsPerSpan { get; init; } = 0.5;

    /// <summary>Metric series (sums, gauges and histograms across the services). 0 sends no metrics.</summary>
    public int MetricSeries { get; init; } = 200;

    /// <summary>Every how many batches a metrics request (one data point per series) goes out.</summary>
    public int MetricsEveryBatches { get; init; } = 10;

    /// <summary>Traces are added to a batch until it holds at least this many spans.</summary>
    public int SpansPerRequest { get; init; } = 512;

    /// <summary>Timestamps of batch 0; batch <c>i</c> starts <c>i × BatchTimeStep</c> later.</summary>
    public DateTimeOffset StartTime { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public TimeSpan BatchTimeStep { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Services, 1, nameof(Services));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDepth, 1, nameof(MaxDepth));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDepth, 32, nameof(MaxDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFanOut, 0, nameof(MaxFanOut));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSpansPerTrace, 1, nameof(MaxSpansPerTrace));
        Share(ErrorShare, nameof(ErrorShare));
        Share(SlowShare, nameof(SlowShare));
        ArgumentOutOfRangeException.ThrowIfLessThan(SlowThreshold, TimeSpan.FromMilliseconds(2), nameof(SlowThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(AttributeCardinality, 1, nameof(AttributeCardinality));
        ArgumentOutOfRangeException.ThrowIfLessThan(LogsPerSpan, 0.0, nameof(LogsPerSpan));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LogsPerSpan, 100.0, nameof(LogsPerSpan));
        ArgumentOutOfRangeException.ThrowIfLessThan(MetricSeries, 0, nameof(MetricSeries));
        ArgumentOutOfRangeException.ThrowIfLessThan(MetricsEveryBatches, 1, nameof(MetricsEveryBatches));
        ArgumentOutOfRangeException.ThrowIfLessThan(SpansPerRequest, 1, nameof(SpansPerRequest));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchTimeStep, TimeSpan.Zero, nameof(BatchTimeStep));
    }

    private static void Share(double value, string name)
    {
        if (!(value is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, "A share must be between 0 and 1.");
        }
    }
}
