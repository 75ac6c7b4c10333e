using Google.Protobuf;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Sampling;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class PolicySetDecisionTests
{
    private static readonly PolicySet Ordered = Set("""
        { name = errors, type = status-code, status-codes = [ERROR] },
        { name = slow, type = latency, threshold = 1s },
        { name = vip, type = string-attribute, key = tier, values = [vip] }
        """);

    [Fact]
    public void First_keeping_policy_in_order_is_reported_by_index_and_name()
    {
        var decision = Decide(Ordered, Span(durationMillis: 2000, status: Status.Types.StatusCode.Error, attributes: [Str("tier", "vip")]));

        Assert.True(decision.Keep);
        Assert.Equal(0, decision.PolicyIndex);
        Assert.Equal("errors", decision.PolicyName);
        Assert.Equal(1.0, decision.AdjustedCount);
        Assert.False(decision.DroppedByDropPolicy);

        Assert.Equal(2, Decide(Ordered, Span(attributes: [Str("tier", "vip")])).PolicyIndex);
    }

    [Fact]
    public void Policy_name_is_the_configured_string_instance()
    {
        var decision = Decide(Ordered, Span(durationMillis: 2000));

        Assert.Same(Ordered.PolicyNames[1], decision.PolicyName);
        Assert.Same(Ordered.Options.Policies[1].Name, decision.PolicyName);
    }

    [Fact]
    public void No_keeping_policy_means_not_kept_and_no_policy()
    {
        var decision = Decide(Ordered, Span());

        Assert.False(decision.Keep);
        Assert.Equal(-1, decision.PolicyIndex);
        Assert.Null(decision.PolicyName);
        Assert.False(decision.DroppedByDropPolicy);
    }

    [Fact]
    public void Empty_trace_is_decided_without_errors()
    {
        var decision = Ordered.Decide(default, TraceId);

        Assert.False(decision.Keep);
    }

    [Fact]
    public void Default_set_keeps_errors_slow_traces_and_a_tenth_of_the_rest()
    {
        var set = PolicySet.Default;
        var facts = Observe(set, Span());
        var random = new Random(31);

        Assert.Equal(["keep-errors", "keep-slow", "sample-10-percent"], set.PolicyNames);
        Assert.Equal("keep-errors", Decide(set, Span(status: Status.Types.StatusCode.Error)).PolicyName);
        Assert.Equal("keep-slow", Decide(set, Span(durationMillis: 1000)).PolicyName);
        var kept = Enumerable.Range(0, 10_000).Select(_ => set.Decide(facts, RandomTraceId(random))).Where(d => d.Keep).ToList();
        Assert.InRange(kept.Count, 850, 1150);
        Assert.All(kept, d => Assert.Equal(10.0, d.AdjustedCount));
    }

    [Fact]
    public void Share_of_rate_outside_zero_to_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PolicySet.Create(PolicySetOptions.Default, 0, TimeProvider.System));
        Assert.Throws<ArgumentOutOfRangeException>(() => PolicySet.Create(PolicySetOptions.Default, 1.5, TimeProvider.System));
    }

    [Fact]
    public void Resource_bits_apply_only_to_traces_the_worker_adds_them_to()
    {
        var set = Set("{ name = checkout, type = string-attribute, key = service.name, values = [checkout] }");
        var bits = set.ObserveResource(Resource(Str("service.name", "checkout"), Str("host.name", "a")).ToByteArray());

        Assert.NotEqual(0UL, bits);
        Assert.Equal(0UL, set.ObserveResource(Resource(Str("service.name", "cart")).ToByteArray()));
        Assert.Equal(0UL, set.ObserveResource([]));
    }
}
