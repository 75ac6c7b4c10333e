using OpenTelemetry.Proto.Trace.V1;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class CombinationPolicyTests
{
    [Fact]
    public void And_keeps_only_when_every_sub_policy_keeps()
    {
        var set = Set("""
            { name = slow-checkout, type = and, policies = [
                { type = string-attribute, key = service.name, values = [checkout] },
                { type = latency, threshold = 1s }
            ] }
            """);

        Assert.True(Keeps(set, Resource(Str("service.name", "checkout")), Span(durationMillis: 1500)));
        Assert.False(Keeps(set, Resource(Str("service.name", "checkout")), Span(durationMillis: 10)));
        Assert.False(Keeps(set, Resource(Str("service.name", "cart")), Span(durationMillis: 1500)));
    }

    [Fact]
    public void And_conditions_may_be_met_by_different_spans()
    {
        var set = Set("""
            { name = both, type = and, policies = [
                { type = string-attribute, key = a, values = [x] },
                { type = boolean-attribute, key = b, value = true }
            ] }
            """);

        Assert.True(Keeps(set, WithAttributes(Str("a", "x")), WithAttributes(Bool("b", true))));
    }

    [Fact]
    public void And_with_a_probabilistic_sub_policy_reports_its_adjusted_count()
    {
        var set = Set("""
            { name = some-probes, type = and, policies = [
                { type = string-attribute, key = url.path, values = [/live], enabled-regex-matching = true },
                { type = probabilistic, sampling-percentage = 20 }
            ] }
            """);
        var facts = Observe(set, WithAttributes(Str("url.path", "/live")));
        var random = new Random(17);

        var decision = Enumerable.Range(0, 500).Select(_ => set.Decide(facts, RandomTraceId(random))).First(d => d.Keep);

        Assert.Equal(5.0, decision.AdjustedCount);
    }

    [Fact]
    public void And_with_two_probabilistic_sub_policies_multiplies_only_independent_ones()
    {
        var sameSalt = Set("""
            { name = s, type = and, policies = [
                { type = probabilistic, sampling-percentage = 50 },
                { type = probabilistic, sampling-percentage = 20 }
            ] }
            """);
        var differentSalt = Set("""
            { name = d, type = and, policies = [
                { type = probabilistic, sampling-percentage = 50, hash-salt = one },
                { type = probabilistic, sampling-percentage = 20, hash-salt = two }
            ] }
            """);
        var facts = Observe(sameSalt, Span());
        var random = new Random(19);
        var ids = Enumerable.Range(0, 2000).Select(_ => RandomTraceId(random)).ToList();

        Assert.Equal(5.0, ids.Select(id => sameSalt.Decide(facts, id)).First(d => d.Keep).AdjustedCount);
        Assert.Equal(10.0, ids.Select(id => differentSalt.Decide(facts, id)).First(d => d.Keep).AdjustedCount);
    }

    [Fact]
    public void Not_keeps_what_its_policy_does_not_keep()
    {
        var set = Set("""
            { name = fast, type = not, policy = { type = latency, threshold = 1s } }
            """);

        Assert.True(Keeps(set, Span(durationMillis: 10)));
        Assert.False(Keeps(set, Span(durationMillis: 2000)));
    }

    [Fact]
    public void Not_of_probabilistic_keeps_the_complement_with_its_adjusted_count()
    {
        var set = Set("{ name = most, type = not, policy = { type = probabilistic, sampling-percentage = 20 } }");
        var positive = Set("{ name = some, type = probabilistic, sampling-percentage = 20 }");
        var facts = Observe(set, Span());
        var random = new Random(23);

        for (var i = 0; i < 1000; i++)
        {
            var id = RandomTraceId(random);
            var decision = set.Decide(facts, id);
            Assert.NotEqual(positive.Decide(facts, id).Keep, decision.Keep);
            if (decision.Keep)
            {
                Assert.Equal(1.25, decision.AdjustedCount);
            }
        }
    }

    [Fact]
    public void Drop_wins_over_any_policy_that_would_keep()
    {
        var set = Set("""
            { name = errors, type = status-code, status-codes = [ERROR] },
            { name = all, type = always-sample },
            { name = no-health, type = drop, policies = [
                { type = string-attribute, key = url.path, values = ["^/health"], enabled-regex-matching = true }
            ] }
            """);

        var decision = Decide(set, Span(status: Status.Types.StatusCode.Error, attributes: [Str("url.path", "/healthz")]));

        Assert.False(decision.Keep);
        Assert.True(decision.DroppedByDropPolicy);
        Assert.Equal(2, decision.PolicyIndex);
        Assert.Equal("no-health", decision.PolicyName);
        Assert.Equal(0.0, decision.AdjustedCount);
    }

    [Fact]
    public void Drop_matches_only_when_all_its_sub_policies_match()
    {
        var set = Set("""
            { name = all, type = always-sample },
            { name = drop-fast-probes, type = drop, policies = [
                { type = string-attribute, key = url.path, values = [/ready] },
                { type = not, policy = { type = latency, threshold = 100ms } }
            ] }
            """);

        Assert.False(Keeps(set, Span(durationMillis: 5, attributes: [Str("url.path", "/ready")])));
        Assert.True(Keeps(set, Span(durationMillis: 500, attributes: [Str("url.path", "/ready")])));
        Assert.True(Keeps(set, Span(durationMillis: 5, attributes: [Str("url.path", "/orders")])));
    }

    [Fact]
    public void Inverted_policy_inside_and_behaves_as_an_ordinary_condition()
    {
        var set = Set("""
            { name = others-slow, type = and, policies = [
                { type = string-attribute, key = service.name, values = [legacy], invert-match = true },
                { type = latency, threshold = 1s }
            ] }
            """);

        Assert.True(Keeps(set, Resource(Str("service.name", "checkout")), Span(durationMillis: 2000)));
        Assert.False(Keeps(set, Resource(Str("service.name", "legacy")), Span(durationMillis: 2000)));
    }
}
