namespace OtelTailSampler.Decisions;

/// <summary>sampler.sampling.decision-cache: how many past decisions late spans can still find.</summary>
public sealed record DecisionCacheOptions
{
    /// <summary>Kept decisions remembered (trace ID and policy).</summary>
    public int KeptSize { get; init; } = 100_000;

    /// <summary>Dropped decisions remembered, as 8-byte fingerprints.</summary>
    public int DroppedSize { get; init; } = 1_000_000;
}
