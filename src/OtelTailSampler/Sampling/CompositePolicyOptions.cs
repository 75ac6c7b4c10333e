namespace OtelTailSampler.Sampling;

/// <summary>
/// Evaluates <paramref name="Policies"/> in order (the configured <c>policy-order</c>, else as listed); the
/// first that keeps a trace decides, and keeps it only while that sub-policy stays within its share of
/// <paramref name="MaxTotalSpansPerSecond"/> in the current second. <paramref name="Percents"/> holds each
/// sub-policy's share, in the same order.
/// </summary>
public sealed record CompositePolicyOptions(
    string Name, double MaxTotalSpansPerSecond, IReadOnlyList<PolicyOptions> Policies, IReadOnlyList<double> Percents) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.Composite;
}
