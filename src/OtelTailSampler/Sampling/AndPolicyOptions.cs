namespace OtelTailSampler.Sampling;

/// <summary>Keeps traces that every one of <paramref name="Policies"/> keeps.</summary>
public sealed record AndPolicyOptions(string Name, IReadOnlyList<PolicyOptions> Policies) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.And;
}
