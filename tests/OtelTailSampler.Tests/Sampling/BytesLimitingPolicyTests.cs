using Google.Protobuf;
using OtelTailSampler.Tests.Support;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class BytesLimitingPolicyTests
{
    [Fact]
    public void Bytes_limiting_spends_the_encoded_size_of_the_spans()
    {
        var clock = new ManualTimeProvider();
        var span = WithAttributes(Str("payload", new string('x', 900)));
        var size = span.CalculateSize();
        var set = Set($"{{ name = bytes, type = bytes-limiting, bytes-per-second = {size}, burst-capacity = {3 * size} }}", clock);
        var facts = Observe(set, span);
        Assert.Equal(size, facts.Bytes);

        Assert.Equal(3, Enumerable.Range(0, 5).Count(_ => set.Decide(facts, TraceId).Keep));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(set.Decide(facts, TraceId).Keep);
        Assert.False(set.Decide(facts, TraceId).Keep);
    }

    [Fact]
    public void Bytes_limiting_reads_sizes_with_units_and_defaults_the_burst_to_twice_the_rate()
    {
        var set = Set("{ name = bytes, type = bytes-limiting, bytes-per-second = 1KiB }");
        var span = WithAttributes(Str("payload", new string('x', 200)));
        var facts = Observe(set, span);
        var expected = 2048 / span.CalculateSize();

        Assert.Equal(expected, Enumerable.Range(0, 50).Count(_ => set.Decide(facts, TraceId).Keep));
    }
}
