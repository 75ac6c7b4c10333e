using BenchmarkDotNet.Attributes;
using OtelTailSampler.LoadGen;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// What the load generator spends making traffic, which matters when it shares the machine with the node it
/// loads: one default batch (at least 512 spans in whole traces, their log records, and every tenth batch 200
/// metric points), per span (OperationsPerInvoke is the 512-span floor, so the figure is a slight overestimate).
/// </summary>
[MemoryDiagnoser]
public class TrafficGenerationBenchmarks
{
    private TrafficGenerator _generator = null!;
    private long _next;

    [GlobalSetup]
    public void Setup() => _generator = new TrafficGenerator(new TrafficModel(6, new TrafficOptions()));

    [GlobalCleanup]
    public void Cleanup() => _generator.Dispose();

    [Benchmark(OperationsPerInvoke = BenchmarkData.SpansPerRequest, Description = "generate a batch (traces, logs, metrics)")]
    public int Generate()
    {
        using var batch = _generator.Generate(_next++);
        return batch.Spans;
    }
}
