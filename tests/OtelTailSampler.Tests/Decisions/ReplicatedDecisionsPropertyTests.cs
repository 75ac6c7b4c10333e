using Akka.DistributedData;
using CsCheck;
using OtelTailSampler.Decisions;

namespace OtelTailSampler.Tests.Decisions;

/// <summary>The CRDT laws and delta replication, over generated histories.</summary>
public sealed class ReplicatedDecisionsPropertyTests
{
    private const long Iterations = 300;

    [Fact]
    public void Merge_is_commutative() =>
        Gen.Select(DecisionHistories.State, DecisionHistories.State).Sample(
            (left, right) => Assert.Equal(left.Merge(right), right.Merge(left)),
            iter: Iterations);

    [Fact]
    public void Merge_is_associative() =>
        Gen.Select(DecisionHistories.State, DecisionHistories.State, DecisionHistories.State).Sample(
            (a, b, c) => Assert.Equal(a.Merge(b).Merge(c), a.Merge(b.Merge(c))),
            iter: Iterations);

    [Fact]
    public void Merge_is_idempotent_and_empty_is_its_bottom() =>
        Gen.Select(DecisionHistories.State, DecisionHistories.State).Sample(
            (a, b) =>
            {
                Assert.Equal(a, a.Merge(a));
                Assert.Equal(a.Merge(b), a.Merge(b).Merge(b));
                Assert.Equal(a, ReplicatedDecisions.Empty.Merge(a));
                Assert.Equal(a, a.Merge(ReplicatedDecisions.Empty));
            },
            iter: Iterations);

    [Fact]
    public void Merging_back_what_mutators_derived_from_a_state_gives_what_a_full_merge_gives() =>
        Gen.Select(DecisionHistories.State, DecisionHistories.History).Sample(
            (start, history) =>
            {
                // What the Replicator does after an Update: the local value merges the modified one, reset.
                var derived = history.Aggregate(start, (state, operation) => operation.ApplyTo(state)).ResetDelta();
                var (epoch, entries) = (derived.Epoch, derived.Entries);
                var unrelated = ReplicatedDecisions.Create(epoch, entries);

                Assert.Equal(derived, start.Merge(derived));
                Assert.Equal(start.Merge(unrelated), start.Merge(derived));
                Assert.Equal(derived, derived.Merge(start));
            },
            iter: Iterations);

    [Fact]
    public void Deltas_merge_among_themselves_by_the_same_laws() =>
        DecisionHistories.History.Sample(
            history =>
            {
                var deltas = DecisionHistories.Replay(history).Deltas.SelectMany(replicaDeltas => replicaDeltas).ToArray();
                for (var i = 0; i + 2 < deltas.Length; i++)
                {
                    var (a, b, c) = (deltas[i], deltas[i + 1], deltas[i + 2]);
                    Assert.Equal(a.Merge(b), b.Merge(a));
                    Assert.Equal(a.Merge(b).Merge(c), a.Merge(b.Merge(c)));
                    Assert.Equal(a, a.Merge(a));
                }
            },
            iter: Iterations);

    [Fact]
    public void A_replica_is_the_join_of_the_deltas_it_produced_and_stays_above_its_pending_delta() =>
        DecisionHistories.History.Sample(
            history =>
            {
                var (states, deltas) = DecisionHistories.Replay(history);
                for (var replica = 0; replica < DecisionHistories.Replicas; replica++)
                {
                    var fromZero = deltas[replica].Aggregate(ReplicatedDecisions.Empty, (state, delta) => state.MergeDelta(delta));
                    Assert.Equal(states[replica], fromZero);
                }

                // Mid-update, before the reset: the delta is part of the state.
                var pending = history.Aggregate(ReplicatedDecisions.Empty, (state, operation) => operation.ApplyTo(state));
                if (pending.Delta is { } delta)
                {
                    Assert.Equal(pending, pending.MergeDelta(delta));
                }
            },
            iter: Iterations);

    [Fact]
    public void Merging_the_deltas_a_replica_produced_equals_merging_its_full_state() =>
        DecisionHistories.History.Sample(
            history =>
            {
                var (states, deltas) = DecisionHistories.Replay(history);
                for (var from = 0; from < DecisionHistories.Replicas; from++)
                {
                    for (var to = 0; to < DecisionHistories.Replicas; to++)
                    {
                        var full = states[to].Merge(states[from]);
                        var oneByOne = deltas[from].Aggregate(states[to], (state, delta) => state.MergeDelta(delta));
                        Assert.Equal(full, oneByOne);

                        // The Replicator may merge pending deltas into one before it sends them.
                        if (deltas[from].Count > 0)
                        {
                            var combined = deltas[from].Aggregate((left, right) => left.Merge(right));
                            Assert.Equal(full, states[to].MergeDelta(combined));
                        }
                    }
                }
            },
            iter: Iterations);

    [Fact]
    public void Replicas_converge_on_the_model_whatever_the_order_and_duplication_of_deltas() =>
        DecisionHistories.History
            .SelectMany(history =>
            {
                var replay = DecisionHistories.Replay(history);
                var all = replay.Deltas.SelectMany(replicaDeltas => replicaDeltas).ToArray();

                // Each replica receives every delta once or twice, in an order of its own.
                var deliveries = Gen.Select(Gen.Bool.Array[all.Length], Gen.Int.Array[all.Length * 2], (twice, order) =>
                    all.Concat(all.Where((_, index) => twice[index]))
                        .Zip(order, (delta, position) => (delta, position))
                        .OrderBy(pair => pair.position)
                        .Select(pair => pair.delta)
                        .ToArray());
                return deliveries.Array[DecisionHistories.Replicas].Select(received => (history, replay.States, received));
            })
            .Sample(
                sample =>
                {
                    var (history, states, received) = sample;
                    var converged = new ReplicatedDecisions[DecisionHistories.Replicas];
                    for (var replica = 0; replica < DecisionHistories.Replicas; replica++)
                    {
                        // Through the untyped interface, as the Replicator's envelope merges.
                        IDeltaReplicatedData state = states[replica];
                        foreach (var delta in received[replica])
                        {
                            state = (IDeltaReplicatedData)state.MergeDelta(delta);
                        }

                        converged[replica] = (ReplicatedDecisions)state;
                    }

                    Assert.All(converged, state => Assert.Equal(converged[0], state));
                    DecisionHistories.AssertMatchesModel(history, converged[0]);
                    Assert.Equal(states.Aggregate((left, right) => left.Merge(right)), converged[0]);
                },
                iter: Iterations);

    [Fact]
    public void Keep_wins_over_drop_and_the_highest_epoch_supersedes_whatever_the_merge_order() =>
        DecisionHistories.History.Sample(
            history =>
            {
                var (states, _) = DecisionHistories.Replay(history);
                var forward = states.Aggregate((left, right) => left.Merge(right));
                var backward = states.Reverse().Aggregate((left, right) => left.Merge(right));
                DecisionHistories.AssertMatchesModel(history, forward);
                DecisionHistories.AssertMatchesModel(history, backward);
            },
            iter: Iterations);
}
