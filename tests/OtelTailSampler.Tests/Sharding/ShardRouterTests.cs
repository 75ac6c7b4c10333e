using OtelTailSampler.Sharding;

namespace OtelTailSampler.Tests.Sharding;

public sealed class ShardRouterTests
{
    [Fact]
    public void Same_trace_id_always_maps_to_the_same_shard_and_worker()
    {
        var a = new ShardRouter(1024, 4);
        var b = new ShardRouter(1024, 4);
        var id = TraceId.Parse("5b8efff798038103d269b633813fc60c");

        Assert.Equal(a.ShardOf(id), b.ShardOf(id));
        Assert.Equal(a.WorkerOf(id), a.WorkerOfShard(a.ShardOf(id)));

        // Pinned: a change to the hash moves every trace of a running cluster.
        Assert.Equal(a.ShardOf(id), new ShardRouter(1024, 1).ShardOf(id));
    }

    [Fact]
    public void Random_trace_ids_spread_evenly_over_shards()
    {
        var router = new ShardRouter(64, 2);
        var random = new Random(7);
        var counts = new int[64];
        var bytes = new byte[16];
        for (var i = 0; i < 64_000; i++)
        {
            random.NextBytes(bytes);
            counts[router.ShardOf(TraceId.FromBytes(bytes))]++;
        }

        // 1000 expected per shard; a standard deviation is about 31.
        Assert.All(counts, count => Assert.InRange(count, 850, 1150));
    }

    [Fact]
    public void Trace_ids_that_differ_only_in_the_high_half_still_spread()
    {
        var router = new ShardRouter(16, 1);
        var shards = Enumerable.Range(0, 256).Select(i => router.ShardOf(new TraceId((ulong)i << 56, 42))).Distinct().Count();

        Assert.Equal(16, shards);
    }

    [Fact]
    public void Trace_id_round_trips_through_bytes_and_hex()
    {
        var id = TraceId.Parse("0123456789abcdef0011223344556677");
        Span<byte> bytes = stackalloc byte[16];
        id.WriteTo(bytes);

        Assert.Equal(id, TraceId.FromBytes(bytes));
        Assert.Equal("0123456789abcdef0011223344556677", id.ToString());
    }
}
