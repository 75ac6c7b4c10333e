namespace OtelTailSampler.Sampling;

/// <summary>Keeps traces with a span whose W3C <c>trace_state</c> has <paramref name="Key"/> set to one of <paramref name="Values"/>.</summary>
public sealed record TraceStatePolicyOptions(string Name, string Key, IReadOnlyList<string> Values) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.TraceState;
}
