namespace OtelTailSampler.Sampling;

/// <summary>
/// Keeps <paramref name="SamplingPercentage"/> percent of traces, chosen by a hash of the trace ID so every
/// node and every run decides alike: FNV-1a 64 over the salt's UTF-8 bytes then the 16 trace ID bytes, kept
/// when the hash is at most percentage/100 × 2^64. An empty salt means the OpenTelemetry Collector's default
/// (<c>default-hash-seed</c>), so both agree on the same trace.
/// </summary>
public sealed record ProbabilisticPolicyOptions(string Name, double SamplingPercentage, string HashSalt) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.Probabilistic;
}
