using OtelTailSampler.Decisions;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Tests.Decisions;

public sealed class DecisionCacheTests
{
    private static TraceId Id(int n) => new(0, (ulong)n);

    [Fact]
    public void Remembers_kept_and_dropped_decisions()
    {
        var cache = new DecisionCache(new DecisionCacheOptions { KeptSize = 4, DroppedSize = 4 });
        cache.RecordKept(Id(1), policyIndex: 2);
        cache.RecordDropped(Id(2));

        Assert.True(cache.TryGetKept(Id(1), out var kept));
        Assert.Equal(2, kept.PolicyIndex);
        Assert.True(cache.WasDropped(Id(2)));
        Assert.False(cache.TryGetKept(Id(2), out _));
        Assert.False(cache.WasDropped(Id(1)));
        Assert.False(cache.WasDropped(Id(3)));
    }

    [Fact]
    public void Each_side_forgets_its_oldest_entry_when_full()
    {
        var cache = new DecisionCache(new DecisionCacheOptions { KeptSize = 2, DroppedSize = 3 });
        for (var i = 1; i <= 3; i++)
        {
            cache.RecordKept(Id(i), 0);
        }

        for (var i = 10; i <= 14; i++)
        {
            cache.RecordDropped(Id(i));
        }

        Assert.False(cache.TryGetKept(Id(1), out _));
        Assert.True(cache.TryGetKept(Id(2), out _));
        Assert.True(cache.TryGetKept(Id(3), out _));
        Assert.False(cache.WasDropped(Id(11)));
        Assert.True(cache.WasDropped(Id(12)));
        Assert.True(cache.WasDropped(Id(14)));
        Assert.Equal(2, cache.KeptCount);
        Assert.Equal(3, cache.DroppedCount);
        Assert.Equal(3, cache.Evictions);
    }

    [Fact]
    public void Recording_the_same_trace_twice_takes_one_entry()
    {
        var cache = new DecisionCache(new DecisionCacheOptions { KeptSize = 2, DroppedSize = 2 });
        cache.RecordKept(Id(1), 0);
        cache.RecordKept(Id(1), 1);
        cache.RecordKept(Id(2), 0);

        Assert.True(cache.TryGetKept(Id(1), out var kept));
        Assert.Equal(1, kept.PolicyIndex);
        Assert.Equal(0, cache.Evictions);
    }
}
