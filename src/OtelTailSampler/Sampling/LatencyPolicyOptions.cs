namespace OtelTailSampler.Sampling;

/// <summary>
/// Keeps traces whose duration (latest span end minus earliest span start) is at least
/// <paramref name="Threshold"/> and, when given, at most <paramref name="UpperThreshold"/>.
/// </summary>
public sealed record LatencyPolicyOptions(string Name, TimeSpan Threshold, TimeSpan? UpperThreshold) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.Latency;
}
