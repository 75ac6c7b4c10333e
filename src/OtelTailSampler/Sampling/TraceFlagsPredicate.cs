namespace OtelTailSampler.Sampling;

/// <summary>A span whose <c>flags</c> AND mask equals value.</summary>
internal sealed class TraceFlagsPredicate(ulong mask, uint flagsMask, uint flagsValue)
{
    public ulong Mask { get; } = mask;

    public bool Matches(uint flags) => (flags & flagsMask) == flagsValue;
}
