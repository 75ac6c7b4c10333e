namespace OtelTailSampler.Sampling;

/// <summary>Keeps traces with at least one span whose status code is one of <paramref name="StatusCodes"/>.</summary>
public sealed record StatusCodePolicyOptions(string Name, IReadOnlyList<SpanStatusCode> StatusCodes) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.StatusCode;
}
