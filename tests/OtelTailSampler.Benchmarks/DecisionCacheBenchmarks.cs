using BenchmarkDotNet.Attributes;
using OtelTailSampler.Decisions;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// Decision cache look-ups as the worker does them for a span of an unbuffered trace (kept? else dropped?), per
/// look-up, on a full cache of the default sizes (100,000 kept, 1,000,000 dropped); and recording a dropped
/// decision, which evicts the oldest.
/// </summary>
[MemoryDiagnoser]
public class DecisionCacheBenchmarks
{
    private const int Lookups = 4096;

    private readonly DecisionCache _cache = new(new DecisionCacheOptions());
    private readonly TraceId[] _kept = new TraceId[Lookups];
    private readonly TraceId[] _dropped = new TraceId[Lookups];
    private readonly TraceId[] _unknown = new TraceId[Lookups];
    private ulong _next = 10_000_000;

    [GlobalSetup]
    public void Setup()
    {
        var options = new DecisionCacheOptions();
        for (var i = 0UL; i < (ulong)options.DroppedSize; i++)
        {
            _cache.RecordDropped(Id(i, 1));
        }

        for (var i = 0UL; i < (ulong)options.KeptSize; i++)
        {
            _cache.RecordKept(Id(i, 2), (int)(i % 3));
        }

        for (var i = 0; i < Lookups; i++)
        {
            _kept[i] = Id((ulong)(i * 24), 2);
            _dropped[i] = Id((ulong)(i * 244), 1);
            _unknown[i] = Id((ulong)i, 3);
        }
    }

    [Benchmark(OperationsPerInvoke = Lookups, Description = "look-up, kept trace")]
    public int LookUpKept() => LookUp(_kept);

    [Benchmark(OperationsPerInvoke = Lookups, Description = "look-up, dropped trace")]
    public int LookUpDropped() => LookUp(_dropped);

    [Benchmark(OperationsPerInvoke = Lookups, Description = "look-up, unknown trace (miss)")]
    public int LookUpUnknown() => LookUp(_unknown);

    [Benchmark(OperationsPerInvoke = Lookups, Description = "record dropped (evicting)")]
    public void RecordDropped()
    {
        for (var i = 0; i < Lookups; i++)
        {
            _cache.RecordDropped(Id(_next++, 4));
        }
    }

    private int LookUp(TraceId[] ids)
    {
        var found = 0;
        foreach (var id in ids)
        {
            if (_cache.TryGetKept(id, out _) || _cache.WasDropped(id))
            {
                found++;
            }
        }

        return found;
    }

    private static TraceId Id(ulong n, ulong kind) => new(kind * 0x9E3779B97F4A7C15UL ^ (n * 0xC2B2AE3D27D4EB4FUL), n + (kind << 56));
}
