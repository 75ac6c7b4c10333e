using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class TraceFlagsPolicyTests
{
    [Fact]
    public void Trace_flags_by_default_keeps_traces_with_a_span_carrying_the_sampled_flag()
    {
        var set = Set("{ name = head-sampled, type = trace-flags }");

        Assert.True(Keeps(set, Span(flags: 0x01)));
        Assert.True(Keeps(set, Span(flags: 0x301)));
        Assert.True(Keeps(set, Span(), Span(flags: 0x01)));
        Assert.False(Keeps(set, Span(flags: 0x300)));
        Assert.False(Keeps(set, Span()));
    }

    [Fact]
    public void Trace_flags_mask_and_value_select_other_bits()
    {
        // Spans whose parent context was remote: has-is-remote (0x100) and is-remote (0x200) both set.
        var remote = Set("{ name = remote, type = trace-flags, mask = 768, value = 768 }");
        var notSampled = Set("{ name = unsampled, type = trace-flags, mask = 1, value = 0 }");

        Assert.True(Keeps(remote, Span(flags: 0x300)));
        Assert.False(Keeps(remote, Span(flags: 0x101)));
        Assert.True(Keeps(notSampled, Span(flags: 0x00)));
        Assert.False(Keeps(notSampled, Span(flags: 0x01)));
    }
}
