using OtelTailSampler.Decisions;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Decisions;

/// <summary>What a shard's new owner finds in the replica: decisions of the live slots of its group, joined, and none older than the TTL.</summary>
public sealed class DecisionReplicaTests
{
    private static readonly TraceId Trace = new(7, 7);
    private readonly ManualTimeProvider _time = new();
    private readonly DecisionReplica _replica;

    public DecisionReplicaTests()
    {
        _replica = new DecisionReplica(new DecisionsOptions { ShardGroups = 4, SlotLength = TimeSpan.FromMinutes(1), Ttl = TimeSpan.FromMinutes(5) }, _time);
    }

    [Fact]
    public void A_trace_decided_in_two_slots_is_kept_if_either_piece_was_and_only_its_own_group_is_read()
    {
        const int shard = 6;
        var slot = _replica.Keys.SlotAt(_time.GetUtcNow());
        Observe(shard, slot - 1, TraceDecision.Dropped);
        Observe(shard, slot, TraceDecision.Keep(2, 4));

        Assert.True(_replica.TryGetDecision(shard, Trace, out var decision));
        Assert.Equal(TraceDecision.Keep(2, 4), decision);

        // Shard 7 is another group: its keys hold nothing of this trace.
        Assert.False(_replica.TryGetDecision(7, Trace, out _));
    }

    [Fact]
    public void A_decision_older_than_the_ttl_is_forgotten_even_before_its_key_is_reused()
    {
        const int shard = 1;
        var slot = _replica.Keys.SlotAt(_time.GetUtcNow());
        Observe(shard, slot, TraceDecision.Keep(0, 1));
        Assert.True(_replica.TryGetDecision(shard, Trace, out _));

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(_replica.TryGetDecision(shard, Trace, out _));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(_replica.TryGetDecision(shard, Trace, out _));
    }

    [Fact]
    public void Only_kept_decisions_are_replicated_unless_all_or_none_are_asked_for()
    {
        var all = new DecisionReplica(new DecisionsOptions { Replicate = DecisionReplication.All }, _time);
        var none = new DecisionReplica(new DecisionsOptions { Replicate = DecisionReplication.None }, _time);

        Assert.True(_replica.Replicates(TraceDecision.Keep(0, 1)));
        Assert.False(_replica.Replicates(TraceDecision.Dropped));
        Assert.True(all.Replicates(TraceDecision.Dropped));
        Assert.False(none.Replicates(TraceDecision.Keep(0, 1)));
    }

    private void Observe(int shard, long slot, TraceDecision decision)
    {
        var key = _replica.Keys.KeyForShard(shard, slot);
        var index = _replica.Keys.AllKeys.ToList().IndexOf(key);
        _replica.Observe(index, ReplicatedDecisions.Empty.Add(slot, Trace, decision));
    }
}
