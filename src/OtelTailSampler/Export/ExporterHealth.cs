using System.Globalization;
using System.Text;
using OtelTailSampler.Configuration;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export;

/// <summary>
/// Whether exports get through, per signal, for /readyz. Every attempt's outcome is recorded; a signal is failing
/// once its attempts have failed, with no success in between, for at least <see cref="UnhealthyAfter"/>, and it
/// recovers at its first success. A short outage therefore does not take the node out of a load balancer.
/// Thread-safe: exporter loops record while admin requests read.
/// </summary>
public sealed class ExporterHealth
{
    private static readonly string[] SignalNames = [.. Enum.GetValues<OtlpSignal>().Select(s => s.ToString().ToLowerInvariant())];

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly bool _tracking;

    // Under _gate, by signal: the first failure since the last success (null while healthy) and the latest error.
    private readonly DateTimeOffset?[] _failingSince = new DateTimeOffset?[SignalNames.Length];
    private readonly string?[] _lastError = new string?[SignalNames.Length];

    // 1 while a signal has failures since its last success; read without the lock so that the success of every
    // file write or batch costs no lock while healthy.
    private readonly int[] _failing = new int[SignalNames.Length];

    /// <param name="unhealthyAfter">How long attempts must keep failing before the signal counts as failing.</param>
    /// <param name="timeProvider">The clock of "since when"; the system clock by default.</param>
    public ExporterHealth(TimeSpan unhealthyAfter, TimeProvider? timeProvider = null)
        : this(unhealthyAfter, timeProvider ?? TimeProvider.System, tracking: true)
    {
    }

    private ExporterHealth(TimeSpan unhealthyAfter, TimeProvider timeProvider, bool tracking)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(unhealthyAfter, TimeSpan.Zero);
        UnhealthyAfter = unhealthyAfter;
        _time = timeProvider;
        _tracking = tracking;
    }

    /// <summary>For exporters without a backend that can fail (test doubles, the load generator's sink): ignores what is recorded.</summary>
    public static ExporterHealth AlwaysHealthy { get; } = new(TimeSpan.MaxValue, TimeProvider.System, tracking: false);

    public TimeSpan UnhealthyAfter { get; }

    /// <summary>An attempt of <paramref name="signal"/> was delivered (a partial success counts): it is healthy again.</summary>
    public void RecordSuccess(OtlpSignal signal)
    {
        var index = Index(signal);
        if (Volatile.Read(ref _failing[index]) == 0)
        {
            return;
        }

        lock (_gate)
        {
            _failingSince[index] = null;
            _lastError[index] = null;
            Volatile.Write(ref _failing[index], 0);
        }
    }

    /// <summary>An attempt of <paramref name="signal"/> failed with <paramref name="error"/> (kept for the reason text).</summary>
    public void RecordFailure(OtlpSignal signal, string error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var index = Index(signal);
        if (!_tracking)
        {
            return;
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            _failingSince[index] ??= now;
            _lastError[index] = error;
            Volatile.Write(ref _failing[index], 1);
        }
    }

    /// <summary>
    /// Null while every signal is healthy; otherwise one line for /readyz that starts with "failing" and gives,
    /// per failing signal, since when (UTC) and for how long, and the last error.
    /// </summary>
    public string? FailingReason()
    {
        var now = _time.GetUtcNow();
        StringBuilder? reason = null;
        lock (_gate)
        {
            for (var i = 0; i < SignalNames.Length; i++)
            {
                if (_failingSince[i] is not { } since || now - since < UnhealthyAfter)
                {
                    continue;
                }

                reason = reason is null ? new StringBuilder("failing: ") : reason.Append("; ");
                reason.Append(CultureInfo.InvariantCulture,
                    $"exports of {SignalNames[i]} since {since.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} ({DurationText.Format(now - since)}), last error: {OneLine(_lastError[i])}");
            }
        }

        return reason?.ToString();
    }

    private static int Index(OtlpSignal signal) =>
        (uint)signal < (uint)SignalNames.Length ? (int)signal : throw new ArgumentOutOfRangeException(nameof(signal), signal, "Not an OTLP signal.");

    // A backend's error text may span lines; /readyz gives one line per check.
    private static string OneLine(string? error) =>
        string.Join(' ', (error ?? "(none)").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
