namespace OtelTailSampler.Sampling;

/// <summary>The outcome of <see cref="PolicySet.Decide(in TraceFacts, ReadOnlySpan{byte})"/>.</summary>
public readonly struct SamplingDecision
{
    private SamplingDecision(bool keep, int policyIndex, string? policyName, double adjustedCount, bool droppedByDropPolicy)
    {
        Keep = keep;
        PolicyIndex = policyIndex;
        PolicyName = policyName;
        AdjustedCount = adjustedCount;
        DroppedByDropPolicy = droppedByDropPolicy;
    }

    /// <summary>Export the trace.</summary>
    public bool Keep { get; }

    /// <summary>
    /// Index in the configured list of the policy that kept the trace, or of the drop policy that dropped it;
    /// -1 when no policy kept it.
    /// </summary>
    public int PolicyIndex { get; }

    /// <summary>Name of the policy at <see cref="PolicyIndex"/>: the configured string itself, so no allocation.</summary>
    public string? PolicyName { get; }

    /// <summary>
    /// How many traces this kept trace stands for: 1 for a deterministic keep, 100/percentage when a
    /// probabilistic policy kept it; 0 when not kept.
    /// </summary>
    public double AdjustedCount { get; }

    /// <summary>A drop policy matched, overriding any policy that would have kept the trace.</summary>
    public bool DroppedByDropPolicy { get; }

    internal static SamplingDecision NotKept { get; } = new(false, -1, null, 0, false);

    internal static SamplingDecision Kept(int index, string name, double adjustedCount) => new(true, index, name, adjustedCount, false);

    internal static SamplingDecision Dropped(int index, string name) => new(false, index, name, 0, true);
}
