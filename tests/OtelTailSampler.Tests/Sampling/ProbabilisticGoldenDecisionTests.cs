using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

/// <summary>
/// Decisions pinned for fixed trace IDs, so every node and every run and release agrees on them. The
/// expected values were computed outside .NET from the documented rule: keep when
/// FNV-1a-64("default-hash-seed" + trace ID bytes) is at most percentage / 100 × 2^64.
/// </summary>
public sealed class ProbabilisticGoldenDecisionTests
{
    [Theory]
    [InlineData("a31c06bd463e3923bc1aadbde48b1697", false)]
    [InlineData("6c080717373b819a068f32b7a6b38b6b", true)]
    [InlineData("38729647cfde01c2ce28b26c57472737", false)]
    [InlineData("f5c3561a1761185bd8589a43ce0bba75", false)]
    [InlineData("891ff9ec60148d4bd4a09ee2dc5c9331", false)]
    [InlineData("b4110ba93ac54afc14da3bdd19614774", false)]
    [InlineData("a2d55d295e5a35ab44b3efaea5129ba2", true)]
    [InlineData("2b88ba3e29766145fdeca3b08e38af53", false)]
    [InlineData("d7c4c60e3ad208ce5066441036e9f191", false)]
    [InlineData("e0b75036a77f65e2eaa4752443233fbe", false)]
    [InlineData("8f8943bf956de595665c38ffff23827e", false)]
    [InlineData("17c10cdc1c27a028caae6c9810626198", false)]
    public void Ten_percent_with_the_default_salt_decides_as_pinned(string traceId, bool kept)
    {
        var set = Set("{ name = ten, type = probabilistic, sampling-percentage = 10 }");

        Assert.Equal(kept, set.Decide(Observe(set, Span()), Convert.FromHexString(traceId)).Keep);
    }
}
