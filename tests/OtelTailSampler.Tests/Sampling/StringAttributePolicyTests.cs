using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class StringAttributePolicyTests
{
    private static readonly OtelTailSampler.Sampling.PolicySet Exact =
        Set("{ name = checkout, type = string-attribute, key = service.name, values = [checkout, payments] }");

    [Fact]
    public void String_attribute_keeps_exact_values_on_a_span()
    {
        Assert.True(Keeps(Exact, WithAttributes(Str("service.name", "payments"))));
        Assert.False(Keeps(Exact, WithAttributes(Str("service.name", "checkout-v2"))));
        Assert.False(Keeps(Exact, WithAttributes(Str("service.name", "Checkout"))));
    }

    [Fact]
    public void String_attribute_on_the_resource_only_counts()
    {
        Assert.True(Keeps(Exact, Resource(Str("service.name", "checkout")), Span()));
        Assert.False(Keeps(Exact, Resource(Str("service.name", "cart")), Span()));
    }

    [Fact]
    public void Missing_attribute_or_other_key_does_not_match()
    {
        Assert.False(Keeps(Exact, Span()));
        Assert.False(Keeps(Exact, WithAttributes(Str("service.namespace", "checkout"))));
    }

    [Fact]
    public void Non_string_values_do_not_match_a_string_attribute()
    {
        var numbers = Set("{ name = n, type = string-attribute, key = code, values = [\"200\"] }");

        Assert.False(Keeps(numbers, WithAttributes(Int("code", 200))));
        Assert.True(Keeps(numbers, WithAttributes(Str("code", "200"))));
    }

    [Fact]
    public void One_matching_span_among_many_keeps_the_trace()
    {
        Assert.True(Keeps(Exact, WithAttributes(Str("service.name", "cart")), WithAttributes(Str("other", "x"), Str("service.name", "checkout"))));
    }

    [Fact]
    public void Regex_values_match_anywhere_in_the_value_unless_anchored()
    {
        var set = Set("""
            { name = probes, type = string-attribute, key = url.path, values = ["/health", "^/ready$"], enabled-regex-matching = true }
            """);

        Assert.True(Keeps(set, WithAttributes(Str("url.path", "/api/health/deep"))));
        Assert.True(Keeps(set, WithAttributes(Str("url.path", "/ready"))));
        Assert.False(Keeps(set, WithAttributes(Str("url.path", "/ready/now"))));
        Assert.False(Keeps(set, WithAttributes(Str("url.path", "/orders"))));
    }

    [Fact]
    public void Regex_matches_long_and_non_ascii_values()
    {
        var set = Set("""
            { name = r, type = string-attribute, key = msg, values = ["zürich$"], enabled-regex-matching = true }
            """);

        Assert.True(Keeps(set, WithAttributes(Str("msg", new string('x', 5000) + " zürich"))));
        Assert.True(Keeps(set, WithAttributes(Str("msg", "from zürich"))));
        Assert.False(Keeps(set, WithAttributes(Str("msg", new string('x', 5000) + " zurich"))));
    }

    [Fact]
    public void Without_regex_matching_values_are_literal()
    {
        var set = Set("{ name = l, type = string-attribute, key = k, values = [\"a.c\"] }");

        Assert.True(Keeps(set, WithAttributes(Str("k", "a.c"))));
        Assert.False(Keeps(set, WithAttributes(Str("k", "abc"))));
    }

    [Fact]
    public void Inverted_match_keeps_traces_where_no_span_or_resource_matches()
    {
        var set = Set("{ name = not-checkout, type = string-attribute, key = service.name, values = [checkout], invert-match = true }");

        Assert.True(Keeps(set, WithAttributes(Str("service.name", "cart"))));
        Assert.True(Keeps(set, Span()));
        Assert.False(Keeps(set, WithAttributes(Str("service.name", "checkout"))));

        // One matching span is enough to veto the inverted policy, even when other spans do not match.
        Assert.False(Keeps(set, WithAttributes(Str("service.name", "cart")), WithAttributes(Str("service.name", "checkout"))));
        Assert.False(Keeps(set, Resource(Str("service.name", "checkout")), WithAttributes(Str("service.name", "cart"))));
    }

    [Fact]
    public void Inverted_match_is_an_ordinary_no_and_does_not_veto_other_policies()
    {
        var set = Set("""
            { name = not-checkout, type = string-attribute, key = service.name, values = [checkout], invert-match = true },
            { name = all, type = always-sample }
            """);

        var decision = Decide(set, WithAttributes(Str("service.name", "checkout")));

        Assert.True(decision.Keep);
        Assert.Equal("all", decision.PolicyName);
    }

    [Fact]
    public void Same_condition_in_two_policies_shares_one_predicate_bit()
    {
        var set = Set("""
            { name = a, type = string-attribute, key = k, values = [x] },
            { name = b, type = string-attribute, key = k, values = [x], invert-match = true },
            { name = c, type = string-attribute, key = k, values = [y] }
            """);

        Assert.Equal(2, set.PredicateCount);
    }
}
