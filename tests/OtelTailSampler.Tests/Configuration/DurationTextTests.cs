using OtelTailSampler.Configuration;

namespace OtelTailSampler.Tests.Configuration;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(0.0004, "0ms")]
    [InlineData(0.25, "250ms")]
    [InlineData(0.9994, "999ms")]
    [InlineData(0.9996, "1.0s")]
    [InlineData(5.1299583, "5.1s")]
    [InlineData(42, "42.0s")]
    [InlineData(59.94, "59.9s")]
    [InlineData(59.96, "1m")]
    [InlineData(150, "2m30s")]
    [InlineData(3599.6, "1h")]
    [InlineData(3900, "1h5m")]
    [InlineData(86400, "1d")]
    [InlineData(97200, "1d3h")]
    [InlineData(-5.1, "-5.1s")]
    public void Reads_like_the_configuration_units(double seconds, string expected) =>
        Assert.Equal(expected, DurationText.Format(TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond))));

    [Fact]
    public void The_extremes_are_formatted_rather_than_thrown()
    {
        Assert.Equal("10675199d3h", DurationText.Format(TimeSpan.MaxValue));
        Assert.StartsWith("-", DurationText.Format(TimeSpan.MinValue), StringComparison.Ordinal);
    }
}
