using OtelTailSampler.Decisions;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Tests.Decisions;

public sealed class ReplicatedDecisionsTests
{
    private static readonly TraceId Trace = new(7, 7);

    private static ReplicatedDecisions With(long epoch, TraceDecision decision) => ReplicatedDecisions.Empty.Add(epoch, Trace, decision).ResetDelta();

    [Fact]
    public void Keep_wins_over_drop_from_either_side()
    {
        var dropped = With(1, TraceDecision.Dropped);
        var kept = With(1, TraceDecision.Keep(3, 2));

        Assert.Equal(kept, dropped.Merge(kept));
        Assert.Equal(kept, kept.Merge(dropped));
        Assert.Equal(kept, kept.Add(1, Trace, TraceDecision.Dropped));
    }

    [Fact]
    public void Between_two_keeps_the_lower_policy_then_the_higher_count_wins()
    {
        Assert.Equal(TraceDecision.Keep(1, 1), TraceDecision.Join(TraceDecision.Keep(2, 100), TraceDecision.Keep(1, 1)));
        Assert.Equal(TraceDecision.Keep(1, 8), TraceDecision.Join(TraceDecision.Keep(1, 8), TraceDecision.Keep(1, 2)));
        Assert.Equal(TraceDecision.Keep(1, 8), TraceDecision.Join(TraceDecision.Keep(1, 2), TraceDecision.Keep(1, 8)));
        Assert.Equal(TraceDecision.Keep(0, 0.0), TraceDecision.Join(TraceDecision.Keep(0, -0.0), TraceDecision.Keep(0, 0.0)));
        Assert.Equal(TraceDecision.Keep(0, 0.0), TraceDecision.Join(TraceDecision.Keep(0, 0.0), TraceDecision.Keep(0, -0.0)));
    }

    [Fact]
    public void A_higher_epoch_supersedes_the_whole_slot()
    {
        var old = With(5, TraceDecision.Keep(0, 1)).Add(5, new TraceId(1, 1), TraceDecision.Keep(0, 1)).ResetDelta();
        var reused = With(8, TraceDecision.Dropped);

        Assert.Equal(reused, old.Merge(reused));
        Assert.Equal(reused, reused.Merge(old));
        Assert.Single(old.Merge(reused).Entries);
    }

    [Fact]
    public void A_decision_of_a_slot_already_gone_is_ignored()
    {
        var current = With(8, TraceDecision.Dropped);

        Assert.Same(current, current.Add(7, new TraceId(2, 2), TraceDecision.Keep(0, 1)));
        Assert.Same(current, current.AdvanceTo(8));
    }

    [Fact]
    public void The_delta_collects_what_changed_since_the_reset_and_a_later_epoch_starts_it_afresh()
    {
        var state = ReplicatedDecisions.Empty.Add(1, Trace, TraceDecision.Dropped).ResetDelta();
        Assert.Null(state.Delta);

        var second = new TraceId(3, 3);
        state = state.Add(1, Trace, TraceDecision.Dropped).Add(1, second, TraceDecision.Keep(0, 1));
        Assert.Equal(new[] { second }, state.Delta!.Entries.Keys);
        Assert.Equal(1, state.Delta.Epoch);

        state = state.AdvanceTo(2);
        Assert.Equal(2, state.Delta!.Epoch);
        Assert.Empty(state.Delta.Entries);
        Assert.Equal(0, state.Count);
    }

    [Fact]
    public void A_batch_joins_like_single_adds()
    {
        var other = new TraceId(9, 9);
        var batch = ReplicatedDecisions.Empty.AddRange(
            4,
            [
                new(Trace, TraceDecision.Keep(2, 1)),
                new(other, TraceDecision.Dropped),
                new(Trace, TraceDecision.Keep(1, 1)),
                new(Trace, TraceDecision.Dropped),
            ]);
        var single = ReplicatedDecisions.Empty
            .Add(4, Trace, TraceDecision.Keep(2, 1))
            .Add(4, other, TraceDecision.Dropped)
            .Add(4, Trace, TraceDecision.Keep(1, 1))
            .Add(4, Trace, TraceDecision.Dropped);

        Assert.Equal(single, batch);
        Assert.Equal(single.Delta, batch.Delta);
        Assert.True(batch.TryGetDecision(Trace, out var decision));
        Assert.Equal(new KeptDecision(1, 1), decision.Kept);
    }

    [Fact]
    public void A_merge_that_learns_nothing_returns_the_same_state()
    {
        var state = With(3, TraceDecision.Keep(0, 1));

        Assert.Same(state, state.Merge(With(3, TraceDecision.Dropped)));
        Assert.Same(state, state.Merge(ReplicatedDecisions.Empty));
    }
}
