using System.Collections.Immutable;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Decisions;

/// <summary>
/// The join shared by <see cref="ReplicatedDecisions"/> and its delta: a map of one epoch, where a higher epoch
/// supersedes a lower one whole and equal epochs join entry by entry.
/// </summary>
/// <remarks>
/// The entries are an <see cref="ImmutableSortedDictionary{TKey, TValue}"/> in <see cref="TraceIdOrder"/>: joining a
/// small delta into a state of 100k entries costs O(delta × log state) and shares every untouched node of the tree,
/// where a dictionary copied on write would copy the whole state (megabytes) for each delta received; and the sorted
/// order gives the serializer its deterministic order and equality a single in-order walk, with no sort.
/// </remarks>
internal static class DecisionEntries
{
    public static ImmutableSortedDictionary<TraceId, TraceDecision> Empty { get; } =
        ImmutableSortedDictionary.Create<TraceId, TraceDecision>(TraceIdOrder.Instance);

    /// <summary>The join of two maps of the same epoch: folds the smaller into the larger.</summary>
    public static ImmutableSortedDictionary<TraceId, TraceDecision> Join(
        ImmutableSortedDictionary<TraceId, TraceDecision> left,
        ImmutableSortedDictionary<TraceId, TraceDecision> right)
    {
        if (ReferenceEquals(left, right) || right.IsEmpty)
        {
            return left;
        }

        if (left.IsEmpty)
        {
            return right;
        }

        var (larger, smaller) = left.Count >= right.Count ? (left, right) : (right, left);
        var builder = larger.ToBuilder();
        foreach (var (traceId, decision) in smaller)
        {
            Put(builder, traceId, decision);
        }

        // A builder left untouched hands back the very map it came from: a join that learns nothing allocates
        // nothing but the builder.
        return builder.ToImmutable();
    }

    /// <summary>Joins one decision into the builder; true when that changed it.</summary>
    public static bool Put(ImmutableSortedDictionary<TraceId, TraceDecision>.Builder builder, TraceId traceId, TraceDecision decision)
    {
        if (builder.TryGetValue(traceId, out var existing))
        {
            if (TraceDecision.ComparePrecedence(decision, existing) <= 0)
            {
                return false;
            }
        }

        builder[traceId] = decision;
        return true;
    }

    public static bool AreEqual(
        ImmutableSortedDictionary<TraceId, TraceDecision> left,
        ImmutableSortedDictionary<TraceId, TraceDecision> right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left.Count != right.Count)
        {
            return false;
        }

        // Both are in the same order, so one walk of each compares them.
        using var leftEntries = left.GetEnumerator();
        using var rightEntries = right.GetEnumerator();
        while (leftEntries.MoveNext() && rightEntries.MoveNext())
        {
            if (leftEntries.Current.Key != rightEntries.Current.Key || leftEntries.Current.Value != rightEntries.Current.Value)
            {
                return false;
            }
        }

        return true;
    }
}
