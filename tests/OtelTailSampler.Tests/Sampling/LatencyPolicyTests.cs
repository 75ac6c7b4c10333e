using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class LatencyPolicyTests
{
    private static readonly OtelTailSampler.Sampling.PolicySet Slow = Set("{ name = slow, type = latency, threshold = 1s }");

    private static readonly OtelTailSampler.Sampling.PolicySet Band =
        Set("{ name = band, type = latency, threshold = 500ms, upper-threshold = 2s }");

    [Fact]
    public void Latency_keeps_traces_at_or_over_threshold()
    {
        Assert.True(Keeps(Slow, Span(durationMillis: 1000)));
        Assert.True(Keeps(Slow, Span(durationMillis: 5000)));
        Assert.False(Keeps(Slow, Span(durationMillis: 999)));
    }

    [Fact]
    public void Latency_measures_from_earliest_start_to_latest_end_across_spans()
    {
        // Neither span is slow, but the trace spans 0 ms to 1200 ms.
        Assert.True(Keeps(Slow, Span(durationMillis: 300), Span(durationMillis: 300, startOffsetMillis: 900)));
    }

    [Fact]
    public void Latency_with_upper_threshold_keeps_only_the_band_both_ends_inclusive()
    {
        Assert.False(Keeps(Band, Span(durationMillis: 499)));
        Assert.True(Keeps(Band, Span(durationMillis: 500)));
        Assert.True(Keeps(Band, Span(durationMillis: 2000)));
        Assert.False(Keeps(Band, Span(durationMillis: 2001)));
    }

    [Fact]
    public void Latency_does_not_keep_an_empty_trace()
    {
        var zero = Set("{ name = any, type = latency, threshold = 0ms }");

        Assert.False(zero.Decide(default, TraceId).Keep);
        Assert.True(Keeps(zero, Span(durationMillis: 0)));
    }
}
