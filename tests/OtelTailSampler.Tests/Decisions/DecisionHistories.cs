using CsCheck;
using OtelTailSampler.Decisions;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Tests.Decisions;

/// <summary>
/// Generators of decision histories over a few replicas, a few epochs and a small pool of trace IDs (so that the
/// same trace is decided differently on several replicas), and their replay as the Replicator would run them.
/// </summary>
internal static class DecisionHistories
{
    public const int Replicas = 3;

    // High halves that differ in their top bit too, so the order is unsigned on both halves.
    private static readonly TraceId[] s_pool =
    [
        new(0, 1), new(0, 2), new(1, 0), new(0x8000_0000_0000_0000UL, 0), new(ulong.MaxValue, ulong.MaxValue), new(42, 7),
    ];

    public static Gen<TraceDecision> Decision { get; } = Gen.Frequency(
        (2, Gen.Const(TraceDecision.Dropped)),
        (3, Gen.Select(Gen.Int[0, 2], Gen.OneOf(Gen.Const(1.0), Gen.Const(2.0), Gen.Const(0.5), Gen.Const(10.0)), TraceDecision.Keep)));

    public static Gen<DecisionOperation> Operation { get; } = Gen.Select(
        Gen.Int[0, Replicas - 1],
        Gen.Long[1, 3],
        Gen.Int[0, s_pool.Length - 1],
        Decision,
        Gen.Int[0, 11],
        Gen.Bool,
        (replica, epoch, trace, decision, advance, endsUpdate) =>
            new DecisionOperation(replica, epoch, s_pool[trace], decision, advance == 0, endsUpdate));

    public static Gen<DecisionOperation[]> History { get; } = Operation.Array[0, 40];

    /// <summary>A state built by one replica running a whole history.</summary>
    public static Gen<ReplicatedDecisions> State { get; } = History.Select(history =>
    {
        var state = ReplicatedDecisions.Empty;
        foreach (var operation in history)
        {
            state = operation.ApplyTo(state);
        }

        return state.ResetDelta();
    });

    /// <summary>
    /// Runs each replica's operations on that replica alone, as Update messages do: at the end of each update the
    /// delta is taken and reset. Returns each replica's final state and the deltas it produced, in order.
    /// </summary>
    public static (ReplicatedDecisions[] States, List<ReplicatedDecisionsDelta>[] Deltas) Replay(DecisionOperation[] history)
    {
        var states = Enumerable.Repeat(ReplicatedDecisions.Empty, Replicas).ToArray();
        var deltas = Enumerable.Range(0, Replicas).Select(_ => new List<ReplicatedDecisionsDelta>()).ToArray();
        foreach (var operation in history)
        {
            states[operation.Replica] = operation.ApplyTo(states[operation.Replica]);
            if (operation.EndsUpdate)
            {
                EndUpdate(states, deltas, operation.Replica);
            }
        }

        for (var replica = 0; replica < Replicas; replica++)
        {
            EndUpdate(states, deltas, replica);
        }

        return (states, deltas);
    }

    /// <summary>
    /// What every replica must converge on: the highest epoch any operation reached, holding for each trace the
    /// join of the decisions made in that epoch. Written without the CRDT: keep over drop, then lower policy,
    /// then higher count.
    /// </summary>
    public static (long Epoch, Dictionary<TraceId, TraceDecision> Entries) Model(DecisionOperation[] history)
    {
        var epoch = history.Length == 0 ? 0 : history.Max(operation => operation.Epoch);
        var entries = new Dictionary<TraceId, TraceDecision>();
        foreach (var operation in history.Where(operation => operation.Epoch == epoch && !operation.AdvanceOnly))
        {
            entries[operation.TraceId] = entries.TryGetValue(operation.TraceId, out var existing) && Beats(existing, operation.Decision)
                ? existing
                : operation.Decision;
        }

        return (epoch, entries);
    }

    public static void AssertMatchesModel(DecisionOperation[] history, ReplicatedDecisions state)
    {
        var (epoch, entries) = Model(history);
        Assert.Equal(epoch, state.Epoch);
        Assert.Equal(entries.OrderBy(entry => entry.Key, TraceIdOrder.Instance), state.Entries);
    }

    private static bool Beats(TraceDecision existing, TraceDecision candidate)
    {
        if (existing.IsKept != candidate.IsKept)
        {
            return existing.IsKept;
        }

        if (!existing.IsKept || existing.PolicyIndex != candidate.PolicyIndex)
        {
            return !existing.IsKept || existing.PolicyIndex < candidate.PolicyIndex;
        }

        return existing.AdjustedCount >= candidate.AdjustedCount;
    }

    private static void EndUpdate(ReplicatedDecisions[] states, List<ReplicatedDecisionsDelta>[] deltas, int replica)
    {
        if (states[replica].Delta is { } delta)
        {
            deltas[replica].Add(delta);
        }

        states[replica] = states[replica].ResetDelta();
    }
}
