using System.Globalization;

namespace OtelTailSampler.Configuration;

/// <summary>
/// Durations for people reading logs and /readyz: 250ms, 5.1s, 2m30s, 1h5m, 2d3h. Two units at most, in the
/// same units the configuration accepts, instead of TimeSpan's 00:00:05.1299583.
/// </summary>
public static class DurationText
{
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            // TimeSpan.MinValue has no positive counterpart; a clamp one tick away reads the same.
            return "-" + Format(duration == TimeSpan.MinValue ? TimeSpan.MaxValue : duration.Negate());
        }

        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        // Round first, then choose the unit, so that 59.96s reads 1m rather than 60.0s.
        var milliseconds = Math.Round(duration.TotalMilliseconds, MidpointRounding.AwayFromZero);
        if (milliseconds < 1000)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{milliseconds:0}ms");
        }

        var tenths = Math.Round(duration.TotalSeconds * 10, MidpointRounding.AwayFromZero);
        if (tenths < 600)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{tenths / 10:0.0}s");
        }

        var seconds = (long)Math.Round(duration.TotalSeconds, MidpointRounding.AwayFromZero);
        if (seconds < 3600)
        {
            return Pair(seconds / 60, "m", seconds % 60, "s");
        }

        var minutes = (long)Math.Round(duration.TotalMinutes, MidpointRounding.AwayFromZero);
        if (minutes < 24 * 60)
        {
            return Pair(minutes / 60, "h", minutes % 60, "m");
        }

        var hours = (long)Math.Round(duration.TotalHours, MidpointRounding.AwayFromZero);
        return Pair(hours / 24, "d", hours % 24, "h");
    }

    private static string Pair(long major, string majorUnit, long minor, string minorUnit) =>
        minor == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{major}{majorUnit}")
            : string.Create(CultureInfo.InvariantCulture, $"{major}{majorUnit}{minor}{minorUnit}");
}
