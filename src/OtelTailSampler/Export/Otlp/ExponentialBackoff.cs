namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// The Collector's backoff (cenkalti/backoff): intervals grow by a multiplier up to a cap, and each one is
/// randomized by ± a factor so that many clients that failed together do not retry together.
/// One instance per batch: it remembers where in the sequence that batch is.
/// </summary>
internal sealed class ExponentialBackoff
{
    private readonly TimeSpan _max;
    private readonly double _multiplier;
    private readonly double _randomizationFactor;
    private readonly Func<double> _random;
    private TimeSpan _current;

    /// <param name="random">Uniform values in [0, 1); injected so tests can pin the jitter.</param>
    public ExponentialBackoff(TimeSpan initial, TimeSpan max, double multiplier, double randomizationFactor, Func<double> random)
    {
        _current = initial;
        _max = max;
        _multiplier = multiplier;
        _randomizationFactor = randomizationFactor;
        _random = random;
    }

    public static ExponentialBackoff From(OtlpExporterOptions options, Func<double> random) => new(
        options.RetryInitialInterval,
        options.RetryMaxInterval,
        options.RetryMultiplier,
        options.RetryRandomizationFactor,
        random);

    /// <summary>The next delay to wait; advances the sequence.</summary>
    public TimeSpan Next()
    {
        var interval = _current;
        _current = interval.Ticks >= _max.Ticks / _multiplier ? _max : interval * _multiplier;

        if (_randomizationFactor == 0)
        {
            return interval;
        }

        var delta = _randomizationFactor * interval.Ticks;
        var low = interval.Ticks - delta;
        return TimeSpan.FromTicks((long)(low + (_random() * 2 * delta)));
    }
}
