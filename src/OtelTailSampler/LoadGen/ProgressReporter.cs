using System.Globalization;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// Prints a load generator's progress once a second, on the given clock: one line rewritten in place on a
/// terminal, or one line a second when the output is redirected.
/// </summary>
public sealed class ProgressReporter : IDisposable
{
    private readonly Func<LoadGenProgress> _read;
    private readonly TextWriter _output;
    private readonly bool _overwrite;
    private readonly string _label;
    private readonly object _gate = new();
    private readonly ITimer _timer;
    private LoadGenProgress? _previous;
    private bool _printed;
    private bool _disposed;

    /// <param name="read">Reads the live figures, such as <see cref="LoadGenerator.Progress"/>.</param>
    /// <param name="output">Where lines go (standard error for the command, so the summary on standard output stays clean).</param>
    /// <param name="timeProvider">The clock whose timer fires every second.</param>
    /// <param name="overwrite">True to rewrite one line with a carriage return (a terminal).</param>
    /// <param name="label">Printed in front of each line, such as the benchmark variant.</param>
    public ProgressReporter(Func<LoadGenProgress> read, TextWriter output, TimeProvider timeProvider, bool overwrite, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _read = read;
        _output = output;
        _overwrite = overwrite;
        _label = label is null ? "" : label + " ";
        _timer = timeProvider.CreateTimer(_ => Report(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>One progress line; the acknowledged rate is over the time since <paramref name="previous"/>.</summary>
    public static string FormatLine(LoadGenProgress now, LoadGenProgress? previous)
    {
        ArgumentNullException.ThrowIfNull(now);
        var seconds = (now.Elapsed - (previous?.Elapsed ?? TimeSpan.Zero)).TotalSeconds;
        var rate = seconds > 0 ? (now.SpansAcknowledged - (previous?.SpansAcknowledged ?? 0)) / seconds : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{now.Elapsed.TotalSeconds,5:0}s] spans sent {now.SpansSent:N0}, acked {now.SpansAcknowledged:N0} ({rate:N0}/s); " +
            $"rejected {now.ItemsRejected:N0}, failed {now.ItemsFailed:N0}, retried {now.Retries:N0}; in flight {now.InFlight}; " +
            $"ack p50 {LoadGenSummary.Milliseconds(now.AckLatencyP50)} ms, p99 {LoadGenSummary.Milliseconds(now.AckLatencyP99)} ms");
    }

    /// <summary>Prints a line now (the timer calls this every second).</summary>
    public void Report()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _read();
            var line = _label + FormatLine(now, _previous);
            _previous = now;
            if (_overwrite)
            {
                _output.Write("\r" + line.PadRight(150));
            }
            else
            {
                _output.WriteLine(line);
            }

            _output.Flush();
            _printed = true;
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_overwrite && _printed)
            {
                _output.WriteLine();
            }
        }
    }
}
