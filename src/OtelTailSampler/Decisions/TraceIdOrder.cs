using OtelTailSampler.Sharding;

namespace OtelTailSampler.Decisions;

/// <summary>
/// Trace IDs ordered as their 16 big-endian bytes compare: the order replicated decisions are kept and written in,
/// so that equal sets of decisions serialize to equal bytes.
/// </summary>
public sealed class TraceIdOrder : IComparer<TraceId>
{
    private TraceIdOrder()
    {
    }

    public static TraceIdOrder Instance { get; } = new();

    public int Compare(TraceId x, TraceId y)
    {
        var byHigh = x.High.CompareTo(y.High);
        return byHigh != 0 ? byHigh : x.Low.CompareTo(y.Low);
    }
}
