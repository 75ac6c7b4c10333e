namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Reads HOCON durations such as <c>500ms</c>, <c>30 s</c> or <c>1.5 hours</c>. Units are lowercase as the
/// spec requires; a bare number is milliseconds.
/// </summary>
public static class HoconDuration
{
    private const decimal TicksPerNanosecond = 0.01m;

    // Factors are in TimeSpan ticks (100 ns); nanoseconds below a tick are truncated.
    private static readonly Dictionary<string, decimal> TicksPerUnit = new(StringComparer.Ordinal)
    {
        [""] = TimeSpan.TicksPerMillisecond,
        ["ns"] = TicksPerNanosecond,
        ["nano"] = TicksPerNanosecond,
        ["nanos"] = TicksPerNanosecond,
        ["nanosecond"] = TicksPerNanosecond,
        ["nanoseconds"] = TicksPerNanosecond,
        ["us"] = TimeSpan.TicksPerMicrosecond,
        ["micro"] = TimeSpan.TicksPerMicrosecond,
        ["micros"] = TimeSpan.TicksPerMicrosecond,
        ["microsecond"] = TimeSpan.TicksPerMicrosecond,
        ["microseconds"] = TimeSpan.TicksPerMicrosecond,
        ["ms"] = TimeSpan.TicksPerMillisecond,
        ["milli"] = TimeSpan.TicksPerMillisecond,
        ["millis"] = TimeSpan.TicksPerMillisecond,
        ["millisecond"] = TimeSpan.TicksPerMillisecond,
        ["milliseconds"] = TimeSpan.TicksPerMillisecond,
        ["s"] = TimeSpan.TicksPerSecond,
        ["second"] = TimeSpan.TicksPerSecond,
        ["seconds"] = TimeSpan.TicksPerSecond,
        ["m"] = TimeSpan.TicksPerMinute,
        ["minute"] = TimeSpan.TicksPerMinute,
        ["minutes"] = TimeSpan.TicksPerMinute,
        ["h"] = TimeSpan.TicksPerHour,
        ["hour"] = TimeSpan.TicksPerHour,
        ["hours"] = TimeSpan.TicksPerHour,
        ["d"] = TimeSpan.TicksPerDay,
        ["day"] = TimeSpan.TicksPerDay,
        ["days"] = TimeSpan.TicksPerDay,
    };

    /// <summary>
    /// Parses a number with an optional unit. Returns false for an unknown unit, a malformed number, or a
    /// duration outside the range of <see cref="TimeSpan"/>.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (!HoconUnitValue.TrySplit(text, out var number, out var unit)
            || !TicksPerUnit.TryGetValue(unit, out var factor)
            || !HoconUnitValue.TryScale(number, factor, out var ticks))
        {
            return false;
        }

        duration = TimeSpan.FromTicks(ticks);
        return true;
    }
}
