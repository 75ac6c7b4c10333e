using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class BooleanAttributePolicyTests
{
    private static readonly OtelTailSampler.Sampling.PolicySet Forced =
        Set("{ name = forced, type = boolean-attribute, key = app.force_sample, value = true }");

    [Fact]
    public void Boolean_attribute_keeps_traces_with_the_value()
    {
        Assert.True(Keeps(Forced, WithAttributes(Bool("app.force_sample", true))));
        Assert.False(Keeps(Forced, WithAttributes(Bool("app.force_sample", false))));
        Assert.False(Keeps(Forced, Span()));
    }

    [Fact]
    public void Boolean_attribute_ignores_strings_that_read_true()
    {
        Assert.False(Keeps(Forced, WithAttributes(Str("app.force_sample", "true"))));
    }

    [Fact]
    public void Boolean_attribute_false_value_and_resource_attributes()
    {
        var set = Set("{ name = off, type = boolean-attribute, key = feature.on, value = false }");

        Assert.True(Keeps(set, Resource(Bool("feature.on", false)), Span()));
        Assert.False(Keeps(set, Resource(Bool("feature.on", true)), Span()));
    }

    [Fact]
    public void Inverted_boolean_attribute_keeps_traces_where_no_span_has_the_value()
    {
        var set = Set("{ name = not-forced, type = boolean-attribute, key = app.force_sample, value = true, invert-match = true }");

        Assert.True(Keeps(set, Span()));
        Assert.True(Keeps(set, WithAttributes(Bool("app.force_sample", false))));
        Assert.False(Keeps(set, Span(), WithAttributes(Bool("app.force_sample", true))));
    }
}
