namespace OtelTailSampler.Sampling;

/// <summary>
/// Keeps traces with a span whose <c>flags</c> AND <paramref name="Mask"/> equals <paramref name="Value"/>.
/// The default, mask 1 and value 1, is the W3C sampled flag, as the Collector's <c>trace_flags</c> policy.
/// </summary>
public sealed record TraceFlagsPolicyOptions(string Name, uint Mask, uint Value) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.TraceFlags;
}
