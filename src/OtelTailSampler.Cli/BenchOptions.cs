using OtelTailSampler.LoadGen;

namespace OtelTailSampler.Cli;

/// <summary>How `otel-sampler bench` runs.</summary>
internal sealed record BenchOptions
{
    /// <summary>Measured load per variant.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Unmeasured load before it (JIT, pools, connections, the decision cache filling up).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    public LoadGenProtocol Protocol { get; init; } = LoadGenProtocol.Grpc;

    public IReadOnlyList<BenchVariant> Variants { get; init; } = [];

    /// <summary>Batches in flight from the load generator.</summary>
    public int Concurrency { get; init; } = 16;

    public long Seed { get; init; } = 1;

    public bool Gzip { get; init; }

    /// <summary>After the maximum-load run, a run at half of the rate reached, to measure acknowledgement latency there.</summary>
    public bool HalfLoad { get; init; } = true;

    /// <summary>Spans the in-process memory probe buffers; 0 skips it.</summary>
    public int MemorySpans { get; init; } = 200_000;
}
