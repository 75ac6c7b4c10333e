using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class TraceStatePolicyTests
{
    private static readonly OtelTailSampler.Sampling.PolicySet Vendor =
        Set("{ name = vendor, type = trace-state, key = acme, values = [gold, silver] }");

    [Fact]
    public void Trace_state_keeps_traces_with_the_key_set_to_a_value()
    {
        Assert.True(Keeps(Vendor, Span(traceState: "acme=gold")));
        Assert.True(Keeps(Vendor, Span(traceState: "ot=th:8, acme=silver ,rojo=00f067aa0ba902b7")));
        Assert.False(Keeps(Vendor, Span(traceState: "acme=bronze")));
        Assert.False(Keeps(Vendor, Span(traceState: "other=gold")));
        Assert.False(Keeps(Vendor, Span()));
    }

    [Fact]
    public void Trace_state_compares_whole_keys_and_values()
    {
        Assert.False(Keeps(Vendor, Span(traceState: "xacme=gold")));
        Assert.False(Keeps(Vendor, Span(traceState: "acme=golden")));
        Assert.False(Keeps(Vendor, Span(traceState: "acme")));
    }

    [Fact]
    public void Trace_state_on_any_span_counts()
    {
        Assert.True(Keeps(Vendor, Span(traceState: "acme=bronze"), Span(traceState: "acme=gold")));
    }
}
