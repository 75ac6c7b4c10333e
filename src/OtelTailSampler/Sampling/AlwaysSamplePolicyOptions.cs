namespace OtelTailSampler.Sampling;

/// <summary>Keeps every trace.</summary>
public sealed record AlwaysSamplePolicyOptions(string Name) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.AlwaysSample;
}
