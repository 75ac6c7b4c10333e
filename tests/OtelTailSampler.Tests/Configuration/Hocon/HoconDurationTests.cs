using OtelTailSampler.Configuration.Hocon;

namespace OtelTailSampler.Tests.Configuration.Hocon;

public sealed class HoconDurationTests
{
    [Theory]
    [InlineData("250", 250 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1500ns", 15)]
    [InlineData("3 nanoseconds", 0)]
    [InlineData("200nanos", 2)]
    [InlineData("7us", 7 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("7 micros", 7 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("1 microsecond", TimeSpan.TicksPerMicrosecond)]
    [InlineData("500ms", 500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("500 millis", 500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("2 milliseconds", 2 * TimeSpan.TicksPerMillisecond)]
    [InlineData("30s", 30 * TimeSpan.TicksPerSecond)]
    [InlineData("1 second", TimeSpan.TicksPerSecond)]
    [InlineData("  45 seconds  ", 45 * TimeSpan.TicksPerSecond)]
    [InlineData("5m", 5 * TimeSpan.TicksPerMinute)]
    [InlineData("2 minutes", 2 * TimeSpan.TicksPerMinute)]
    [InlineData("1.5h", 90 * TimeSpan.TicksPerMinute)]
    [InlineData("3 hours", 3 * TimeSpan.TicksPerHour)]
    [InlineData("1d", TimeSpan.TicksPerDay)]
    [InlineData("2 days", 2 * TimeSpan.TicksPerDay)]
    [InlineData("0.5s", 500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("-10s", -10 * TimeSpan.TicksPerSecond)]
    [InlineData("0", 0)]
    public void Valid_durations_parse_to_the_expected_ticks(string text, long expectedTicks)
    {
        Assert.True(HoconDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromTicks(expectedTicks), duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("s")]
    [InlineData("10 fortnights")]
    [InlineData("10S")]
    [InlineData("10 Seconds")]
    [InlineData("10s5")]
    [InlineData("ten seconds")]
    [InlineData("1e3ms")]
    [InlineData("10 s s")]
    [InlineData("1.2.3s")]
    [InlineData("999999999999999999999999999d")]
    [InlineData("99999999999999999999999999999999999")]
    [InlineData("10675200d")]
    public void Invalid_or_overflowing_durations_are_rejected(string? text)
    {
        Assert.False(HoconDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.Zero, duration);
    }

    [Fact]
    public void Largest_representable_duration_in_days_parses()
    {
        Assert.True(HoconDuration.TryParse("10675199d", out var duration));
        Assert.Equal(TimeSpan.FromDays(10675199), duration);
    }
}
