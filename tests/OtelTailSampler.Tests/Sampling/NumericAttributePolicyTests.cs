using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class NumericAttributePolicyTests
{
    private static readonly OtelTailSampler.Sampling.PolicySet ServerErrors =
        Set("{ name = 5xx, type = numeric-attribute, key = http.response.status_code, min-value = 500, max-value = 599 }");

    [Fact]
    public void Numeric_attribute_keeps_integers_within_the_inclusive_range()
    {
        Assert.True(Keeps(ServerErrors, WithAttributes(Int("http.response.status_code", 500))));
        Assert.True(Keeps(ServerErrors, WithAttributes(Int("http.response.status_code", 599))));
        Assert.False(Keeps(ServerErrors, WithAttributes(Int("http.response.status_code", 499))));
        Assert.False(Keeps(ServerErrors, WithAttributes(Int("http.response.status_code", 600))));
    }

    [Fact]
    public void Numeric_attribute_compares_doubles_too()
    {
        Assert.True(Keeps(ServerErrors, WithAttributes(Double("http.response.status_code", 503.5))));
        Assert.False(Keeps(ServerErrors, WithAttributes(Double("http.response.status_code", 499.99))));
        Assert.False(Keeps(ServerErrors, WithAttributes(Double("http.response.status_code", double.NaN))));
    }

    [Fact]
    public void Numeric_attribute_ignores_strings_and_missing_keys()
    {
        Assert.False(Keeps(ServerErrors, WithAttributes(Str("http.response.status_code", "503"))));
        Assert.False(Keeps(ServerErrors, Span()));
    }

    [Fact]
    public void Numeric_attribute_on_the_resource_only_counts()
    {
        var set = Set("{ name = big, type = numeric-attribute, key = host.cpus, min-value = 64 }");

        Assert.True(Keeps(set, Resource(Int("host.cpus", 128)), Span()));
        Assert.False(Keeps(set, Resource(Int("host.cpus", 8)), Span()));
    }

    [Fact]
    public void Numeric_attribute_with_one_bound_is_open_on_the_other_side()
    {
        var atMost = Set("{ name = small, type = numeric-attribute, key = n, max-value = 10 }");

        Assert.True(Keeps(atMost, WithAttributes(Int("n", long.MinValue))));
        Assert.True(Keeps(atMost, WithAttributes(Double("n", 10))));
        Assert.False(Keeps(atMost, WithAttributes(Int("n", 11))));
    }

    [Fact]
    public void Inverted_numeric_attribute_keeps_traces_without_a_value_in_range()
    {
        var set = Set("{ name = not-5xx, type = numeric-attribute, key = code, min-value = 500, max-value = 599, invert-match = true }");

        Assert.True(Keeps(set, WithAttributes(Int("code", 200))));
        Assert.True(Keeps(set, Span()));
        Assert.False(Keeps(set, WithAttributes(Int("code", 200)), WithAttributes(Int("code", 502))));
    }
}
