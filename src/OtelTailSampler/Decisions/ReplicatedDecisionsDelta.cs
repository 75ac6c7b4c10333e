using System.Collections.Immutable;
using Akka.DistributedData;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Decisions;

/// <summary>
/// The decisions a <see cref="ReplicatedDecisions"/> learnt since its delta was last reset, with the epoch they
/// belong to. It joins by the same rule as the state (higher epoch whole, else entry by entry), so the Replicator
/// may merge several deltas into one before it sends them.
/// </summary>
public sealed class ReplicatedDecisionsDelta :
    IReplicatedDelta,
    IReplicatedData<ReplicatedDecisionsDelta>,
    IReplicatedDataSerialization,
    IEquatable<ReplicatedDecisionsDelta>
{
    internal ReplicatedDecisionsDelta(long epoch, ImmutableSortedDictionary<TraceId, TraceDecision> entries)
    {
        Epoch = epoch;
        Entries = entries;
    }

    public long Epoch { get; }

    /// <summary>The decisions, in <see cref="TraceIdOrder"/>.</summary>
    public ImmutableSortedDictionary<TraceId, TraceDecision> Entries { get; }

    public int Count => Entries.Count;

    /// <summary>What a replica that has no value for the key merges this delta into.</summary>
    IDeltaReplicatedData IReplicatedDelta.Zero => ReplicatedDecisions.Empty;

    public ReplicatedDecisionsDelta Merge(ReplicatedDecisionsDelta other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Epoch != Epoch)
        {
            return other.Epoch > Epoch ? other : this;
        }

        var joined = DecisionEntries.Join(Entries, other.Entries);
        return ReferenceEquals(joined, Entries) ? this
            : ReferenceEquals(joined, other.Entries) ? other
            : new ReplicatedDecisionsDelta(Epoch, joined);
    }

    IReplicatedData IReplicatedData.Merge(IReplicatedData other) => other is ReplicatedDecisionsDelta delta
        ? Merge(delta)
        : throw new ArgumentException($"Cannot merge {other?.GetType().Name ?? "null"} into {nameof(ReplicatedDecisionsDelta)}.", nameof(other));

    public bool Equals(ReplicatedDecisionsDelta? other) =>
        other is not null && Epoch == other.Epoch && DecisionEntries.AreEqual(Entries, other.Entries);

    public override bool Equals(object? obj) => obj is ReplicatedDecisionsDelta other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Epoch, Count);

    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ReplicatedDecisionsDelta(epoch {Epoch}, {Count} decisions)");
}
