using OtelTailSampler.LoadGen;

namespace OtelTailSampler.Tests.LoadGen;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_are_within_the_bucket_precision()
    {
        var histogram = new LatencyHistogram();
        for (var micros = 1; micros <= 100_000; micros++)
        {
            histogram.Record(TimeSpan.FromTicks(micros * TimeSpan.TicksPerMicrosecond));
        }

        Assert.Equal(100_000, histogram.Count);
        Assert.InRange(histogram.Percentile(50).TotalMicroseconds, 50_000 * 0.98, 50_000 * 1.02);
        Assert.InRange(histogram.Percentile(99).TotalMicroseconds, 99_000 * 0.98, 99_000 * 1.02);
        Assert.InRange(histogram.Percentile(100).TotalMicroseconds, 100_000 * 0.98, 100_000 * 1.02);
    }

    [Fact]
    public void Small_values_are_exact_and_huge_ones_are_kept()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.FromTicks(37 * TimeSpan.TicksPerMicrosecond));
        Assert.Equal(37, histogram.Percentile(50).TotalMicroseconds);

        histogram.Record(TimeSpan.FromDays(3));
        Assert.InRange(histogram.Percentile(100).TotalDays, 2.9, 3.1);
        Assert.Equal(TimeSpan.Zero, new LatencyHistogram().Percentile(99));
    }

    [Fact]
    public void Bucket_indexes_grow_with_the_value_and_represent_it()
    {
        var last = -1;
        for (long micros = 0; micros < 10_000_000; micros = (micros * 5 / 4) + 1)
        {
            var index = LatencyHistogram.IndexOf(micros);
            Assert.True(index >= last);
            Assert.InRange(LatencyHistogram.Representative(index), micros * 0.98, (micros * 1.02) + 1);
            last = index;
        }
    }
}
