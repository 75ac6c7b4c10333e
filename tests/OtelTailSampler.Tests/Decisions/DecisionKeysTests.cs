using OtelTailSampler.Decisions;

namespace OtelTailSampler.Tests.Decisions;

public sealed class DecisionKeysTests
{
    [Fact]
    public void The_ring_covers_the_ttl_plus_the_current_slot()
    {
        Assert.Equal(6, new DecisionKeys(1, TimeSpan.FromMinutes(1), DecisionKeys.DefaultTtl).RingSize);
        Assert.Equal(4, new DecisionKeys(1, TimeSpan.FromMinutes(2), DecisionKeys.DefaultTtl).RingSize);
        Assert.Equal(2, new DecisionKeys(1, TimeSpan.FromMinutes(10), DecisionKeys.DefaultTtl).RingSize);
    }

    [Fact]
    public void Keys_are_named_by_group_and_ring_position_and_reused_a_ring_later()
    {
        var keys = new DecisionKeys(groups: 4, TimeSpan.FromMinutes(1), DecisionKeys.DefaultTtl);
        var slot = keys.SlotAt(DateTimeOffset.FromUnixTimeMilliseconds(125 * 60_000 + 59_999));

        Assert.Equal(125, slot);
        Assert.Equal("decisions-2-5", keys.KeyForShard(shard: 10, slot).Id);
        Assert.Same(keys.KeyForShard(10, slot), keys.KeyFor(2, slot + keys.RingSize));
        Assert.Equal(new ReplicatedDecisionsKey("decisions-2-5"), keys.KeyFor(2, slot));
        Assert.Equal(4 * 6, keys.AllKeys.Count);
        Assert.Equal(keys.AllKeys.Count, keys.AllKeys.Select(key => key.Id).Distinct().Count());
    }

    [Fact]
    public void A_slot_is_live_for_the_ring_and_no_longer()
    {
        var keys = new DecisionKeys(1, TimeSpan.FromMinutes(1), DecisionKeys.DefaultTtl);

        Assert.True(keys.IsLive(100, 100));
        Assert.True(keys.IsLive(95, 100));
        Assert.False(keys.IsLive(94, 100));
        Assert.False(keys.IsLive(101, 100));
    }

    [Fact]
    public void Layouts_too_large_or_malformed_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new DecisionKeys(1000, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentException>(() => new DecisionKeys(1, TimeSpan.FromTicks(15_000), DecisionKeys.DefaultTtl));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecisionKeys(0, TimeSpan.FromMinutes(1), DecisionKeys.DefaultTtl));
    }
}
