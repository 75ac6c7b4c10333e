namespace OtelTailSampler.Export;

/// <summary>
/// Decides when an exporter logs its failures, per signal: the first failure after a healthy period at once, then
/// at most one line per interval carrying how many attempts failed since the previous line, and one line when an
/// attempt succeeds again. A backend that is down for an hour thus costs a few hundred lines, not one per attempt.
/// Not thread-safe: each signal's export loop owns its own.
/// </summary>
internal sealed class ExportFailureLog(TimeSpan interval, TimeProvider time)
{
    private DateTimeOffset? _failingSince;
    private DateTimeOffset _lastLine;
    private int _unlogged;
    private long _failures;

    /// <summary>Counts a failed attempt; returns what to log when a line is due, null when it is not.</summary>
    public ExportFailureReport? Failed()
    {
        var now = time.GetUtcNow();
        _unlogged++;
        _failures++;
        ExportFailureReport report;
        if (_failingSince is not { } since)
        {
            _failingSince = now;
            report = new ExportFailureReport(First: true, _unlogged, TimeSpan.Zero, TimeSpan.Zero);
        }
        else if (now - _lastLine >= interval)
        {
            report = new ExportFailureReport(First: false, _unlogged, now - _lastLine, now - since);
        }
        else
        {
            return null;
        }

        _lastLine = now;
        _unlogged = 0;
        return report;
    }

    /// <summary>Notes a delivered attempt; returns how long exports had failed when this ends a failing period.</summary>
    public (TimeSpan FailingFor, long FailedAttempts)? Succeeded()
    {
        if (_failingSince is not { } since)
        {
            return null;
        }

        var recovered = (time.GetUtcNow() - since, _failures);
        _failingSince = null;
        _unlogged = 0;
        _failures = 0;
        return recovered;
    }
}
