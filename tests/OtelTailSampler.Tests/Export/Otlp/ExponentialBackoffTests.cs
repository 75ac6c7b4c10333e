using OtelTailSampler.Export.Otlp;

namespace OtelTailSampler.Tests.Export.Otlp;

public sealed class ExponentialBackoffTests
{
    [Fact]
    public void Without_jitter_grows_by_the_multiplier_up_to_the_cap()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), 1.5, 0, () => 0.99);

        var delays = Enumerable.Range(0, 7).Select(_ => backoff.Next().TotalSeconds).ToArray();

        Assert.Equal([5, 7.5, 11.25, 16.875, 25.3125, 30, 30], delays);
    }

    [Theory]
    [InlineData(0.0, 2.5)]
    [InlineData(0.5, 5.0)]
    [InlineData(0.999999, 7.5)]
    public void Jitter_spreads_the_interval_by_the_randomization_factor(double random, double expectedSeconds)
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), 1.5, 0.5, () => random);

        Assert.Equal(expectedSeconds, backoff.Next().TotalSeconds, precision: 3);
    }

    [Fact]
    public void Seeded_jitter_stays_within_the_band_of_each_interval()
    {
        var random = new Random(42);
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), 1.5, 0.5, random.NextDouble);
        double[] intervals = [5, 7.5, 11.25, 16.875, 25.3125, 30, 30, 30];

        foreach (var interval in intervals)
        {
            var delay = backoff.Next().TotalSeconds;
            Assert.InRange(delay, interval * 0.5, interval * 1.5);
        }
    }
}
