namespace OtelTailSampler.Sharding;

/// <summary>
/// A trace as its shard sees it: buffered (with its spans so far), kept (by which policy, standing for how many
/// traces), dropped, or unknown.
/// </summary>
public sealed record TraceState(TraceStatus Status, int BufferedSpans = 0, string? Policy = null, double AdjustedCount = 0)
{
    /// <summary>
    /// The state a replicated decision stands for, its policy named from <paramref name="policyNames"/> (by index; a
    /// node with a longer policy list than this one's shows the bare index).
    /// </summary>
    public static TraceState Decided(Decisions.TraceDecision decision, IReadOnlyList<string> policyNames)
    {
        ArgumentNullException.ThrowIfNull(policyNames);
        if (!decision.IsKept)
        {
            return new TraceState(TraceStatus.Dropped);
        }

        var policy = decision.PolicyIndex < policyNames.Count
            ? policyNames[decision.PolicyIndex]
            : decision.PolicyIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new TraceState(TraceStatus.Kept, Policy: policy, AdjustedCount: decision.AdjustedCount);
    }
}
