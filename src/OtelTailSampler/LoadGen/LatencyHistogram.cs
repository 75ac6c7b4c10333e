using System.Numerics;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// An HDR-style log-linear histogram of latencies in microseconds: exact below 128 µs, then 64 sub-buckets per
/// power of two (under 1.6% relative error), up to about 9 days. Recording is lock-free and allocation-free, so
/// every sender records into one histogram.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int LinearBuckets = 128;
    private const int SubBuckets = 64;
    private const int SubBucketBits = 6;
    private const int MaxShift = 34;

    private readonly long[] _counts = new long[LinearBuckets + (MaxShift * SubBuckets)];
    private long _total;

    public long Count => Interlocked.Read(ref _total);

    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(0, latency.Ticks / TimeSpan.TicksPerMicrosecond);
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        Interlocked.Increment(ref _total);
    }

    /// <summary>The latency at or below which <paramref name="percentile"/> percent of recordings fall; zero when empty.</summary>
    public TimeSpan Percentile(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(total * percentile / 100));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return TimeSpan.FromTicks(Representative(i) * TimeSpan.TicksPerMicrosecond);
            }
        }

        return TimeSpan.FromTicks(Representative(_counts.Length - 1) * TimeSpan.TicksPerMicrosecond);
    }

    internal static int IndexOf(long micros)
    {
        if (micros < LinearBuckets)
        {
            return (int)micros;
        }

        var shift = Math.Min(MaxShift, 63 - BitOperations.LeadingZeroCount((ulong)micros) - SubBucketBits);
        var sub = Math.Min(SubBuckets - 1, (micros >> shift) - SubBuckets);
        return LinearBuckets + ((shift - 1) * SubBuckets) + (int)sub;
    }

    /// <summary>The middle of a bucket's range, in microseconds.</summary>
    internal static long Representative(int index)
    {
        if (index < LinearBuckets)
        {
            return index;
        }

        var shift = ((index - LinearBuckets) / SubBuckets) + 1;
        var sub = ((index - LinearBuckets) % SubBuckets) + SubBuckets;
        return ((long)sub << shift) + ((1L << shift) / 2);
    }
}
