namespace OtelTailSampler.Sampling;

/// <summary>
/// Matches traces that every one of <paramref name="Policies"/> keeps; a match drops the trace whatever
/// other policies decide. Only allowed in the top-level list.
/// </summary>
public sealed record DropPolicyOptions(string Name, IReadOnlyList<PolicyOptions> Policies) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.Drop;
}
