namespace OtelTailSampler.Sampling;

/// <summary>Keeps traces with at least <paramref name="MinSpans"/> and, when given, at most <paramref name="MaxSpans"/> spans.</summary>
public sealed record SpanCountPolicyOptions(string Name, int MinSpans, int? MaxSpans) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.SpanCount;
}
