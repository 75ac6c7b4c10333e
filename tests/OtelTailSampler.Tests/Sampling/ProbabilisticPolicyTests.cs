using System.Text;
using OtelTailSampler.Sampling;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class ProbabilisticPolicyTests
{
    private const string TenPercent = "{ name = ten, type = probabilistic, sampling-percentage = 10 }";

    [Fact]
    public void Probabilistic_decides_the_same_for_the_same_trace_id_in_separately_built_sets()
    {
        var first = Set(TenPercent);
        var second = Set(TenPercent);
        var facts = Observe(first, Span());
        var random = new Random(20260101);

        var kept = 0;
        for (var i = 0; i < 2000; i++)
        {
            var traceId = RandomTraceId(random);
            var decision = first.Decide(facts, traceId).Keep;
            Assert.Equal(decision, second.Decide(facts, traceId).Keep);
            Assert.Equal(decision, first.Decide(facts, traceId).Keep);
            kept += decision ? 1 : 0;
        }

        // Not trivially all or nothing.
        Assert.InRange(kept, 1, 1999);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1)]
    [InlineData(50)]
    public void Probabilistic_keeps_the_configured_fraction_within_a_binomial_bound(double percentage)
    {
        var set = Set($"{{ name = p, type = probabilistic, sampling-percentage = {percentage} }}");
        var facts = Observe(set, Span());
        var random = new Random(7);
        const int Traces = 20_000;

        var kept = 0;
        for (var i = 0; i < Traces; i++)
        {
            kept += set.Decide(facts, RandomTraceId(random)).Keep ? 1 : 0;
        }

        // Five standard deviations: a correct hash fails this about once in 1.7 million runs, and the seed is fixed.
        var p = percentage / 100;
        var mean = Traces * p;
        var bound = 5 * Math.Sqrt(Traces * p * (1 - p));
        Assert.InRange(kept, mean - bound, mean + bound);
    }

    [Fact]
    public void Probabilistic_keep_carries_adjusted_count_of_100_over_percentage()
    {
        var set = Set("{ name = quarter, type = probabilistic, sampling-percentage = 25 }");
        var facts = Observe(set, Span());
        var random = new Random(3);

        var decision = Enumerable.Range(0, 1000).Select(_ => set.Decide(facts, RandomTraceId(random))).First(d => d.Keep);

        Assert.Equal(4.0, decision.AdjustedCount);
        Assert.Equal("quarter", decision.PolicyName);
    }

    [Fact]
    public void Deterministic_keep_has_adjusted_count_one_and_no_keep_zero()
    {
        var set = Set("{ name = errors, type = status-code, status-codes = [ERROR] }");

        Assert.Equal(1.0, Decide(set, Span(status: OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Error)).AdjustedCount);
        Assert.Equal(0.0, Decide(set, Span()).AdjustedCount);
    }

    [Fact]
    public void Probabilistic_at_100_percent_keeps_everything()
    {
        var set = Set("{ name = all, type = probabilistic, sampling-percentage = 100 }");
        var facts = Observe(set, Span());
        var random = new Random(5);

        Assert.All(Enumerable.Range(0, 500), _ => Assert.True(set.Decide(facts, RandomTraceId(random)).Keep));
        Assert.Equal(1.0, set.Decide(facts, TraceId).AdjustedCount);
    }

    [Fact]
    public void Smaller_percentage_keeps_a_subset_of_what_a_larger_one_keeps()
    {
        var ten = Set(TenPercent);
        var twenty = Set("{ name = twenty, type = probabilistic, sampling-percentage = 20 }");
        var facts = Observe(ten, Span());
        var random = new Random(11);

        for (var i = 0; i < 5000; i++)
        {
            var traceId = RandomTraceId(random);
            if (ten.Decide(facts, traceId).Keep)
            {
                Assert.True(twenty.Decide(facts, traceId).Keep);
            }
        }
    }

    [Fact]
    public void Hash_salt_changes_which_traces_are_kept()
    {
        var unsalted = Set(TenPercent);
        var salted = Set("{ name = ten, type = probabilistic, sampling-percentage = 10, hash-salt = second-tier }");
        var facts = Observe(unsalted, Span());
        var random = new Random(13);

        var differ = Enumerable.Range(0, 2000)
            .Select(_ => RandomTraceId(random))
            .Count(id => unsalted.Decide(facts, id).Keep != salted.Decide(facts, id).Keep);

        Assert.True(differ > 100, $"only {differ} of 2000 decisions differ");
    }

    [Fact]
    public void Hash_is_fnv1a_64_which_the_collector_uses()
    {
        // Published FNV-1a 64 test vectors.
        Assert.Equal(0xcbf29ce484222325UL, TraceIdHash.Seed([]));
        Assert.Equal(0xaf63dc4c8601ec8cUL, TraceIdHash.Continue(TraceIdHash.Seed([]), "a"u8));
        Assert.Equal(0x85944171f73967e8UL, TraceIdHash.Continue(TraceIdHash.Seed("foo"u8), "bar"u8));

        // The salt goes first, then the trace ID, as one stream.
        Assert.Equal(TraceIdHash.Continue(TraceIdHash.Seed([]), Encoding.UTF8.GetBytes(TraceIdHash.DefaultSalt + "x")),
            TraceIdHash.Continue(TraceIdHash.Seed(Encoding.UTF8.GetBytes(TraceIdHash.DefaultSalt)), "x"u8));
    }
}
