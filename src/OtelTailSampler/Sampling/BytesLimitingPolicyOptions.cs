namespace OtelTailSampler.Sampling;

/// <summary>
/// Keeps traces while a token bucket of bytes allows: it refills at <paramref name="BytesPerSecond"/> and
/// holds at most <paramref name="BurstCapacity"/>; a kept trace takes its spans' encoded size.
/// </summary>
public sealed record BytesLimitingPolicyOptions(string Name, double BytesPerSecond, double BurstCapacity) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.BytesLimiting;
}
