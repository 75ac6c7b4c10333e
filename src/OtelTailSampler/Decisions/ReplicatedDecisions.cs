using System.Collections.Immutable;
using Akka.DistributedData;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Decisions;

/// <summary>
/// One time slot of trace decisions, replicated across the cluster as a delta CRDT under one
/// <see cref="ReplicatedDecisionsKey"/>: a map from trace ID to <see cref="TraceDecision"/>, tagged with the
/// <see cref="Epoch"/> (the absolute slot number) it holds.
/// </summary>
/// <remarks>
/// <para>
/// The join: of two states of different epochs the higher one is the result, whole (this is how a key of the
/// ring is reused once its slot has outlived the TTL: a deleted DData key can never be written again); of equal
/// epochs, the union of the entries, two decisions of one trace joining by <see cref="TraceDecision.Join"/>. It
/// is commutative, associative and idempotent, and <see cref="Empty"/> (epoch 0, no entries) is its bottom.
/// </para>
/// <para>
/// Immutable. Mutators return a new state (or this one, when they change nothing) whose <see cref="Delta"/>
/// collects what changed since <see cref="ResetDelta"/>; the Replicator ships those deltas and merges them with
/// <see cref="MergeDelta"/>. A delta is itself a fragment of state, so deltas may arrive in any order, more than
/// once, or merged together, and no causal delivery is needed.
/// </para>
/// <para>
/// Bounded by its caller: Akka replicates a whole top-level entry when gossip finds replicas differ and advises
/// keeping each under about 100,000 elements (<see cref="RecommendedMaxCount"/>). A CRDT cannot refuse a merge,
/// so the bound is the caller's: pick enough shard groups that one group's decisions in one slot stay under it,
/// and watch <see cref="Count"/>. A kept entry serializes to 26 bytes at most and a dropped one to 17, so a full
/// state of 100k entries is up to 2.6 MB on the wire, and the remote transport's maximum frame size must allow
/// it (Akka.Remote's default, 128,000 bytes, holds about 4,900 kept entries).
/// </para>
/// </remarks>
public sealed class ReplicatedDecisions :
    IDeltaReplicatedData<ReplicatedDecisions, ReplicatedDecisionsDelta>,
    IReplicatedDataSerialization,
    IEquatable<ReplicatedDecisions>
{
    /// <summary>Akka's guidance for the elements of one top-level entry.</summary>
    public const int RecommendedMaxCount = 100_000;

    // The state a chain of mutators started from, so that merging the result back into it (what the Replicator
    // does after every Update) is a reference check, not a walk of every entry. Immutable, unlike Akka's own
    // FastMerge, and never more than one older version kept alive: a chain points at its start, merges at none.
    private readonly ReplicatedDecisions? _ancestor;

    private ReplicatedDecisions(
        long epoch,
        ImmutableSortedDictionary<TraceId, TraceDecision> entries,
        ReplicatedDecisionsDelta? delta,
        ReplicatedDecisions? ancestor)
    {
        Epoch = epoch;
        Entries = entries;
        Delta = delta;
        _ancestor = ancestor;
    }

    /// <summary>No decisions at epoch 0: the initial value of every key, and the bottom of the join.</summary>
    public static ReplicatedDecisions Empty { get; } = new(0, DecisionEntries.Empty, null, null);

    /// <summary>The absolute time slot these decisions belong to.</summary>
    public long Epoch { get; }

    /// <summary>The decisions, in <see cref="TraceIdOrder"/>.</summary>
    public ImmutableSortedDictionary<TraceId, TraceDecision> Entries { get; }

    public int Count => Entries.Count;

    /// <summary>What changed since the last <see cref="ResetDelta"/>, or null when nothing did.</summary>
    public ReplicatedDecisionsDelta? Delta { get; }

    // Akka reads a null delta as "nothing to propagate".
    ReplicatedDecisionsDelta IDeltaReplicatedData<ReplicatedDecisions, ReplicatedDecisionsDelta>.Delta => Delta!;

    IReplicatedDelta IDeltaReplicatedData.Delta => Delta!;

    public bool TryGetDecision(TraceId traceId, out TraceDecision decision) => Entries.TryGetValue(traceId, out decision);

    /// <summary>
    /// Joins one decision made in slot <paramref name="epoch"/>. A later epoch than this state's starts the slot
    /// afresh; an earlier one is ignored, since its slot is gone and every replica would discard it.
    /// </summary>
    public ReplicatedDecisions Add(long epoch, TraceId traceId, TraceDecision decision) =>
        AddRange(epoch, [new KeyValuePair<TraceId, TraceDecision>(traceId, decision)]);

    /// <summary>Joins a batch of decisions made in slot <paramref name="epoch"/>, as <see cref="Add"/> does one.</summary>
    public ReplicatedDecisions AddRange(long epoch, ReadOnlySpan<KeyValuePair<TraceId, TraceDecision>> decisions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (epoch < Epoch)
        {
            return this;
        }

        var startsSlot = epoch > Epoch;
        var entries = (startsSlot ? DecisionEntries.Empty : Entries).ToBuilder();
        var delta = (startsSlot || Delta is null ? DecisionEntries.Empty : Delta.Entries).ToBuilder();
        var changed = startsSlot;
        foreach (var (traceId, decision) in decisions)
        {
            // The join is a max over a total order, so a decision that changes the state beats what the delta
            // holds for that trace too: the delta stays a part of the state.
            if (DecisionEntries.Put(entries, traceId, decision))
            {
                delta[traceId] = decision;
                changed = true;
            }
        }

        return changed ? Derive(epoch, entries.ToImmutable(), new ReplicatedDecisionsDelta(epoch, delta.ToImmutable())) : this;
    }

    /// <summary>
    /// Moves this key to slot <paramref name="epoch"/> with no decisions, if it is later: the delta carries the
    /// new epoch, so every replica forgets the old slot's entries.
    /// </summary>
    public ReplicatedDecisions AdvanceTo(long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return epoch > Epoch
            ? Derive(epoch, DecisionEntries.Empty, new ReplicatedDecisionsDelta(epoch, DecisionEntries.Empty))
            : this;
    }

    public ReplicatedDecisions Merge(ReplicatedDecisions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other._ancestor, this))
        {
            // Other was derived from this one by mutators alone, so it already holds all of this one.
            return other.Epoch > Epoch ? new ReplicatedDecisions(other.Epoch, other.Entries, null, null)
                : new ReplicatedDecisions(Epoch, other.Entries, Delta, null);
        }

        return other.Epoch > Epoch ? new ReplicatedDecisions(other.Epoch, other.Entries, null, null) : Join(other.Epoch, other.Entries);
    }

    public ReplicatedDecisions MergeDelta(ReplicatedDecisionsDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return Join(delta.Epoch, delta.Entries);
    }

    public ReplicatedDecisions ResetDelta() => Delta is null ? this : Derive(Epoch, Entries, null);

    IReplicatedData IReplicatedData.Merge(IReplicatedData other) => other switch
    {
        ReplicatedDecisions state => Merge(state),
        ReplicatedDecisionsDelta delta => MergeDelta(delta),
        _ => throw new ArgumentException($"Cannot merge {other?.GetType().Name ?? "null"} into {nameof(ReplicatedDecisions)}.", nameof(other)),
    };

    IReplicatedData IDeltaReplicatedData.MergeDelta(IReplicatedDelta delta) => delta is ReplicatedDecisionsDelta decisions
        ? MergeDelta(decisions)
        : throw new ArgumentException($"Cannot merge {delta?.GetType().Name ?? "null"} into {nameof(ReplicatedDecisions)}.", nameof(delta));

    IReplicatedData IDeltaReplicatedData.ResetDelta() => ResetDelta();

    /// <summary>Equal epochs and entries; the pending delta is bookkeeping, not state.</summary>
    public bool Equals(ReplicatedDecisions? other) =>
        other is not null && Epoch == other.Epoch && DecisionEntries.AreEqual(Entries, other.Entries);

    public override bool Equals(object? obj) => obj is ReplicatedDecisions other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Epoch, Count);

    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ReplicatedDecisions(epoch {Epoch}, {Count} decisions)");

    internal static ReplicatedDecisions Create(long epoch, ImmutableSortedDictionary<TraceId, TraceDecision> entries) =>
        epoch == 0 && entries.IsEmpty ? Empty : new ReplicatedDecisions(epoch, entries, null, null);

    private ReplicatedDecisions Join(long otherEpoch, ImmutableSortedDictionary<TraceId, TraceDecision> otherEntries)
    {
        if (otherEpoch < Epoch)
        {
            return this;
        }

        if (otherEpoch > Epoch)
        {
            // The other side has moved to a later slot: its state alone, and this side's delta is moot.
            return new ReplicatedDecisions(otherEpoch, otherEntries, null, null);
        }

        var joined = DecisionEntries.Join(Entries, otherEntries);
        return ReferenceEquals(joined, Entries) ? this : new ReplicatedDecisions(Epoch, joined, Delta, null);
    }

    private ReplicatedDecisions Derive(long epoch, ImmutableSortedDictionary<TraceId, TraceDecision> entries, ReplicatedDecisionsDelta? delta) =>
        new(epoch, entries, delta, _ancestor ?? this);
}
