using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class SpanCountPolicyTests
{
    [Fact]
    public void Span_count_keeps_traces_within_min_and_max_inclusive()
    {
        var set = Set("{ name = mid, type = span-count, min-spans = 2, max-spans = 3 }");

        Assert.False(Keeps(set, Span()));
        Assert.True(Keeps(set, Span(), Span()));
        Assert.True(Keeps(set, Span(), Span(), Span()));
        Assert.False(Keeps(set, Span(), Span(), Span(), Span()));
    }

    [Fact]
    public void Span_count_without_max_or_with_max_zero_has_no_upper_bound()
    {
        var noMax = Set("{ name = big, type = span-count, min-spans = 2 }");
        var zeroMax = Set("{ name = big, type = span-count, min-spans = 2, max-spans = 0 }");
        var many = Enumerable.Range(0, 50).Select(_ => Span()).ToArray();

        Assert.True(Keeps(noMax, many));
        Assert.True(Keeps(zeroMax, many));
        Assert.False(Keeps(zeroMax, Span()));
    }

    [Fact]
    public void Span_count_with_only_max_keeps_small_traces_and_the_empty_one()
    {
        var set = Set("{ name = small, type = span-count, max-spans = 1 }");

        Assert.True(set.Decide(default, TraceId).Keep);
        Assert.True(Keeps(set, Span()));
        Assert.False(Keeps(set, Span(), Span()));
    }
}
