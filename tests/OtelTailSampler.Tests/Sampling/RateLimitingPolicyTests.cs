using OtelTailSampler.Tests.Support;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class RateLimitingPolicyTests
{
    [Fact]
    public void Rate_limiting_keeps_up_to_the_burst_then_refills_with_time()
    {
        var clock = new ManualTimeProvider();
        var set = Set("{ name = rate, type = rate-limiting, spans-per-second = 10, burst-capacity = 20 }", clock);
        var fiveSpans = Observe(set, Span(), Span(), Span(), Span(), Span());

        Assert.Equal([true, true, true, true, false], Enumerable.Range(0, 5).Select(_ => set.Decide(fiveSpans, TraceId).Keep));

        clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.False(set.Decide(fiveSpans, TraceId).Keep);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(set.Decide(fiveSpans, TraceId).Keep);
        Assert.False(set.Decide(fiveSpans, TraceId).Keep);
    }

    [Fact]
    public void Refill_stops_at_the_burst_capacity()
    {
        var clock = new ManualTimeProvider();
        var set = Set("{ name = rate, type = rate-limiting, spans-per-second = 10, burst-capacity = 10 }", clock);
        var tenSpans = Observe(set, Enumerable.Range(0, 10).Select(_ => Span()).ToArray());

        Assert.True(set.Decide(tenSpans, TraceId).Keep);
        clock.Advance(TimeSpan.FromHours(1));

        Assert.True(set.Decide(tenSpans, TraceId).Keep);
        Assert.False(set.Decide(tenSpans, TraceId).Keep);
    }

    [Fact]
    public void Burst_capacity_defaults_to_twice_the_rate()
    {
        var set = Set("{ name = rate, type = rate-limiting, spans-per-second = 3 }");
        var oneSpan = Observe(set, Span());

        Assert.Equal(6, Enumerable.Range(0, 10).Count(_ => set.Decide(oneSpan, TraceId).Keep));
    }

    [Fact]
    public void Trace_larger_than_the_burst_is_never_kept()
    {
        var clock = new ManualTimeProvider();
        var set = Set("{ name = rate, type = rate-limiting, spans-per-second = 1, burst-capacity = 2 }", clock);
        var threeSpans = Observe(set, Span(), Span(), Span());

        Assert.False(set.Decide(threeSpans, TraceId).Keep);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(set.Decide(threeSpans, TraceId).Keep);
    }

    [Fact]
    public void Each_instance_enforces_its_share_of_the_rate()
    {
        var clock = new ManualTimeProvider();
        const string Policy = "{ name = rate, type = rate-limiting, spans-per-second = 100, burst-capacity = 100 }";
        var quarter = Set(Policy, clock, shareOfRate: 0.25);
        var other = Set(Policy, clock, shareOfRate: 0.25);
        var oneSpan = Observe(quarter, Span());

        Assert.Equal(25, Enumerable.Range(0, 100).Count(_ => quarter.Decide(oneSpan, TraceId).Keep));
        Assert.Equal(25, Enumerable.Range(0, 100).Count(_ => other.Decide(oneSpan, TraceId).Keep));
    }

    [Fact]
    public void Tokens_are_spent_only_on_traces_the_rate_policy_keeps()
    {
        var clock = new ManualTimeProvider();
        var set = Set("""
            { name = errors, type = status-code, status-codes = [ERROR] },
            { name = rate, type = rate-limiting, spans-per-second = 1, burst-capacity = 1 }
            """, clock);
        var error = Observe(set, Span(status: OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Error));
        var ok = Observe(set, Span());

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("errors", set.Decide(error, TraceId).PolicyName);
        }

        Assert.Equal("rate", set.Decide(ok, TraceId).PolicyName);
        Assert.False(set.Decide(ok, TraceId).Keep);
    }

    [Fact]
    public void Rate_policy_inside_and_spends_nothing_when_another_sub_policy_says_no()
    {
        var clock = new ManualTimeProvider();
        var set = Set("""
            { name = limited-checkout, type = and, policies = [
                { type = rate-limiting, spans-per-second = 1, burst-capacity = 1 },
                { type = string-attribute, key = service.name, values = [checkout] }
            ] }
            """, clock);
        var cart = Observe(set, WithAttributes(Str("service.name", "cart")));
        var checkout = Observe(set, WithAttributes(Str("service.name", "checkout")));

        Assert.False(set.Decide(cart, TraceId).Keep);
        Assert.False(set.Decide(cart, TraceId).Keep);
        Assert.True(set.Decide(checkout, TraceId).Keep);
        Assert.False(set.Decide(checkout, TraceId).Keep);
    }
}
