namespace OtelTailSampler.Sampling;

/// <summary>Keeps traces that <paramref name="Policy"/> does not keep.</summary>
public sealed record NotPolicyOptions(string Name, PolicyOptions Policy) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.Not;
}
