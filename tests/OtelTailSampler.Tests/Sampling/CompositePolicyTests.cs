using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Tests.Support;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class CompositePolicyTests
{
    private const string Composite = """
        { name = budget, type = composite, max-total-spans-per-second = 10,
          policy-order = [errors, rest],
          policies = [
            { name = rest, type = always-sample },
            { name = errors, type = status-code, status-codes = [ERROR] }
          ],
          rate-allocation = [{ policy = errors, percent = 60 }] }
        """;

    [Fact]
    public void Composite_caps_each_sub_policy_at_its_percent_of_the_total_per_second()
    {
        var clock = new ManualTimeProvider();
        var set = Set(Composite, clock);
        var error = Observe(set, Span(status: Status.Types.StatusCode.Error));
        var ok = Observe(set, Span());

        // errors: 60% of 10 = 6 spans a second; rest (unallocated): the remaining 40% = 4.
        Assert.Equal(6, Enumerable.Range(0, 10).Count(_ => set.Decide(error, TraceId).Keep));
        Assert.Equal(4, Enumerable.Range(0, 10).Count(_ => set.Decide(ok, TraceId).Keep));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(6, Enumerable.Range(0, 10).Count(_ => set.Decide(error, TraceId).Keep));
    }

    [Fact]
    public void Composite_first_matching_sub_policy_decides_even_when_over_budget()
    {
        var clock = new ManualTimeProvider();
        var set = Set(Composite, clock);
        var error = Observe(set, Span(status: Status.Types.StatusCode.Error));

        for (var i = 0; i < 6; i++)
        {
            Assert.True(set.Decide(error, TraceId).Keep);
        }

        // The errors budget is spent; the always-sample after it still has budget but is not asked.
        Assert.False(set.Decide(error, TraceId).Keep);
        Assert.True(set.Decide(Observe(set, Span()), TraceId).Keep);
    }

    [Fact]
    public void Composite_follows_policy_order_rather_than_listing_order()
    {
        var clock = new ManualTimeProvider();
        var set = Set(Composite, clock);
        var error = Observe(set, Span(status: Status.Types.StatusCode.Error));

        // Were "rest" first, errors would be counted against its 4 spans.
        Assert.Equal(6, Enumerable.Range(0, 10).Count(_ => set.Decide(error, TraceId).Keep));
    }

    [Fact]
    public void Composite_counts_spans_not_traces()
    {
        var clock = new ManualTimeProvider();
        var set = Set(Composite, clock);
        var threeErrors = Observe(set, Span(status: Status.Types.StatusCode.Error), Span(), Span());

        Assert.Equal(2, Enumerable.Range(0, 5).Count(_ => set.Decide(threeErrors, TraceId).Keep));
    }

    [Fact]
    public void Composite_budgets_are_the_instance_share()
    {
        var clock = new ManualTimeProvider();
        var set = Set(Composite, clock, shareOfRate: 0.5);
        var error = Observe(set, Span(status: Status.Types.StatusCode.Error));

        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => set.Decide(error, TraceId).Keep));
    }

    [Fact]
    public void Composite_keep_is_reported_under_the_composite_name_with_the_sub_policy_count()
    {
        var set = Set("""
            { name = mixed, type = composite, max-total-spans-per-second = 1000, policies = [
                { name = some, type = probabilistic, sampling-percentage = 50 }
            ] }
            """);
        var facts = Observe(set, Span());
        var random = new Random(29);

        var decision = Enumerable.Range(0, 100).Select(_ => set.Decide(facts, RandomTraceId(random))).First(d => d.Keep);

        Assert.Equal("mixed", decision.PolicyName);
        Assert.Equal(2.0, decision.AdjustedCount);
    }

    [Fact]
    public void Unallocated_sub_policies_share_the_remainder_equally()
    {
        var set = Set("""
            { name = c, type = composite, max-total-spans-per-second = 10, policies = [
                { name = a, type = string-attribute, key = k, values = [a] },
                { name = b, type = string-attribute, key = k, values = [b] }
            ] }
            """);

        Assert.Equal(5, Enumerable.Range(0, 10).Count(_ => Keeps(set, WithAttributes(Str("k", "a")))));
    }
}
