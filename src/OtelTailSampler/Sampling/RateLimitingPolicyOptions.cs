namespace OtelTailSampler.Sampling;

/// <summary>
/// Keeps traces while a token bucket of spans allows: it refills at <paramref name="SpansPerSecond"/> and
/// holds at most <paramref name="BurstCapacity"/>; a kept trace takes as many tokens as it has spans.
/// </summary>
public sealed record RateLimitingPolicyOptions(string Name, double SpansPerSecond, double BurstCapacity) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.RateLimiting;
}
