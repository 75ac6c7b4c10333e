namespace OtelTailSampler.Decisions;

/// <summary>
/// What was decided for one trace, as nodes replicate it: dropped, or kept by a policy standing for a number of
/// traces. Two decisions of the same trace <see cref="Join"/> by a fixed precedence, so replicas that learn them in
/// any order agree. <c>default</c> is <see cref="Dropped"/>.
/// </summary>
public readonly struct TraceDecision : IEquatable<TraceDecision>
{
    private TraceDecision(int policyIndex, double adjustedCount)
    {
        IsKept = true;
        PolicyIndex = policyIndex;
        AdjustedCount = adjustedCount;
    }

    public static TraceDecision Dropped => default;

    public bool IsKept { get; }

    /// <summary>The policy that kept the trace; 0 when dropped.</summary>
    public int PolicyIndex { get; }

    /// <summary>How many traces the kept one stands for; 0 when dropped.</summary>
    public double AdjustedCount { get; }

    /// <summary>The kept decision as the single-node cache and the exporters know it, or null when dropped.</summary>
    public KeptDecision? Kept => IsKept ? new KeptDecision(PolicyIndex, AdjustedCount) : null;

    public static TraceDecision Keep(int policyIndex, double adjustedCount)
    {
        // An index into the policy list; the wire format writes it unsigned.
        ArgumentOutOfRangeException.ThrowIfNegative(policyIndex);
        return new TraceDecision(policyIndex, adjustedCount);
    }

    public static TraceDecision Keep(KeptDecision kept) => Keep(kept.PolicyIndex, kept.AdjustedCount);

    /// <summary>
    /// The decision that wins: keep over drop (a node that kept the trace has exported spans, so every node must
    /// keep its late spans too); between two keeps, the lower policy index (policies are tried in order), then the
    /// higher adjusted count, then the higher bit pattern of the count. That is a total order, so the join is
    /// commutative, associative and idempotent, and always returns one of its arguments.
    /// </summary>
    public static TraceDecision Join(TraceDecision left, TraceDecision right) =>
        ComparePrecedence(left, right) >= 0 ? left : right;

    /// <summary>Positive when <paramref name="left"/> wins, zero only when the two are equal.</summary>
    internal static int ComparePrecedence(TraceDecision left, TraceDecision right)
    {
        if (left.IsKept != right.IsKept)
        {
            return left.IsKept ? 1 : -1;
        }

        if (!left.IsKept)
        {
            return 0;
        }

        if (left.PolicyIndex != right.PolicyIndex)
        {
            return left.PolicyIndex < right.PolicyIndex ? 1 : -1;
        }

        var byCount = left.AdjustedCount.CompareTo(right.AdjustedCount);
        if (byCount != 0)
        {
            return byCount;
        }

        // 0 and -0, or two NaNs, compare equal as numbers but not as bits, and the bits are what is replicated.
        return BitConverter.DoubleToInt64Bits(left.AdjustedCount).CompareTo(BitConverter.DoubleToInt64Bits(right.AdjustedCount));
    }

    public bool Equals(TraceDecision other) =>
        IsKept == other.IsKept
        && PolicyIndex == other.PolicyIndex
        && BitConverter.DoubleToInt64Bits(AdjustedCount) == BitConverter.DoubleToInt64Bits(other.AdjustedCount);

    public override bool Equals(object? obj) => obj is TraceDecision other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(IsKept, PolicyIndex, BitConverter.DoubleToInt64Bits(AdjustedCount));

    public override string ToString() =>
        IsKept
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"kept by policy {PolicyIndex} (adjusted count {AdjustedCount})")
            : "dropped";

    public static bool operator ==(TraceDecision left, TraceDecision right) => left.Equals(right);

    public static bool operator !=(TraceDecision left, TraceDecision right) => !left.Equals(right);
}
