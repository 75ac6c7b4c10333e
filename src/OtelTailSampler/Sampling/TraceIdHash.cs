namespace OtelTailSampler.Sampling;

/// <summary>
/// FNV-1a 64 over a salt then the trace ID bytes: the hash of the Collector's probabilistic policy, so a
/// decision is the same on every node, in every run, and in a Collector with the same salt.
/// </summary>
internal static class TraceIdHash
{
    /// <summary>The Collector's salt when none is configured.</summary>
    public const string DefaultSalt = "default-hash-seed";

    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    /// <summary>The FNV state after the salt, so each decision hashes only the 16 ID bytes.</summary>
    public static ulong Seed(ReadOnlySpan<byte> salt) => Continue(OffsetBasis, salt);

    public static ulong Continue(ulong state, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            state ^= b;
            state *= Prime;
        }

        return state;
    }
}
