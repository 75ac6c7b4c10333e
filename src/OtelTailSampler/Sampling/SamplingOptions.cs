using OtelTailSampler.Decisions;

namespace OtelTailSampler.Sampling;

/// <summary>sampler.sampling: when traces are decided, how much may be buffered, and the policies.</summary>
public sealed record SamplingOptions
{
    /// <summary>A trace is decided this long after its first span at the latest.</summary>
    public TimeSpan DecisionWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Once the root span arrived, decide this much later; zero turns root-triggered decisions off.</summary>
    public TimeSpan RootSettleDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A trace reaching this many spans is decided at once.</summary>
    public int MaxSpansPerTrace { get; init; } = 10_000;

    /// <summary>A trace reaching this many bytes is decided at once.</summary>
    public long MaxBytesPerTrace { get; init; } = 16L * 1024 * 1024;

    /// <summary>Buffered bytes on the node before the oldest traces are decided early.</summary>
    public long MaxBufferedBytes { get; init; } = DefaultMaxBufferedBytes();

    /// <summary>Buffered traces on the node before the oldest are decided early.</summary>
    public int MaxTraces { get; init; } = 1_000_000;

    /// <summary>How often trace shards look for traces that are due.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public DecisionCacheOptions DecisionCache { get; init; } = new();

    public PolicySetOptions Policies { get; init; } = PolicySetOptions.Default;

    /// <summary>A quarter of the memory the process may use (the container's limit when there is one).</summary>
    public static long DefaultMaxBufferedBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;
}
