using System.Buffers;

namespace OtelTailSampler.Sharding;

/// <summary>The spans of one request that belong to one trace shard (or, on replay, one worker), in a pooled array the worker returns.</summary>
internal sealed class SpanBatch
{
    private RoutedSpan[] _spans;

    public SpanBatch()
        : this(16)
    {
    }

    /// <summary>For a batch whose size is known ahead (a part from another node): no growing.</summary>
    public SpanBatch(int capacity)
    {
        _spans = ArrayPool<RoutedSpan>.Shared.Rent(Math.Max(capacity, 1));
    }

    public int Count { get; private set; }

    /// <summary>With a journal: the sequence number of the SpansAppended event holding each shard's spans.</summary>
    public Dictionary<int, long>? Sequences { get; set; }

    /// <summary>For replayed spans: when they first arrived, as a TimeProvider timestamp; null means now.</summary>
    public long? ArrivalTimestamp { get; set; }

    public ReadOnlySpan<RoutedSpan> Spans => _spans.AsSpan(0, Count);

    public void Add(in RoutedSpan span)
    {
        if (Count == _spans.Length)
        {
            var larger = ArrayPool<RoutedSpan>.Shared.Rent(_spans.Length * 2);
            _spans.AsSpan(0, Count).CopyTo(larger);
            ArrayPool<RoutedSpan>.Shared.Return(_spans, clearArray: true);
            _spans = larger;
        }

        _spans[Count++] = span;
    }

    /// <summary>For spans that will not be buffered: lets go of their requests, then returns the array.</summary>
    public void ReleaseAll()
    {
        foreach (var routed in Spans)
        {
            routed.Span.Request.Release();
        }

        Return();
    }

    /// <summary>Returns the array to the pool; the batch is not used afterwards.</summary>
    public void Return()
    {
        ArrayPool<RoutedSpan>.Shared.Return(_spans, clearArray: true);
        _spans = [];
        Count = 0;
    }
}
