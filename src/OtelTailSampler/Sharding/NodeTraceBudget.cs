namespace OtelTailSampler.Sharding;

/// <summary>
/// What the node's trace shards hold in memory together, against the node's limits (max-traces,
/// max-buffered-bytes). Every trace shard on the node adds to it and takes from it on its own thread; the limits
/// are the node's, so this is the one counter they share. It also keeps the order in which traces arrived across the
/// node's shards: a shard that finds the node over its limits has the node's oldest trace decided early, by its own
/// shard (see <see cref="TryTakeOldest"/>).
/// </summary>
internal sealed class NodeTraceBudget(int maxTraces, long maxBufferedBytes)
{
    private long _traces;
    private long _bytes;
    private long _spans;
    private long _pendingExportBytes;
    private long _undeliveredExportSpans;

    // Every trace opened, oldest first; entries of traces decided meanwhile are skipped by their shard, and trimmed
    // once older than any trace can stay undecided (see ForgetArrivedBefore).
    private readonly System.Collections.Concurrent.ConcurrentQueue<(int Shard, TraceId TraceId, long Arrival)> _arrivals = new();

    public long BufferedTraces => Volatile.Read(ref _traces);

    public long BufferedBytes => Volatile.Read(ref _bytes);

    /// <summary>Spans of undecided traces: with a journal, all of them are in it.</summary>
    public long BufferedSpans => Volatile.Read(ref _spans);

    /// <summary>Bytes of journaled kept traces held in memory until the backend takes them.</summary>
    public long PendingExportBytes => Volatile.Read(ref _pendingExportBytes);

    /// <summary>Spans of journaled kept traces the backend has not confirmed.</summary>
    public long UndeliveredExportSpans => Volatile.Read(ref _undeliveredExportSpans);

    /// <summary>Whether the node holds more traces or bytes than it may.</summary>
    public bool Over => Volatile.Read(ref _traces) > maxTraces || Volatile.Read(ref _bytes) > maxBufferedBytes;

    public void TraceOpened(int shard, TraceId traceId, long arrival)
    {
        Interlocked.Increment(ref _traces);
        _arrivals.Enqueue((shard, traceId, arrival));
    }

    /// <summary>The node's oldest trace, which may have been decided meanwhile (its shard then ignores it).</summary>
    public bool TryTakeOldest(out int shard, out TraceId traceId)
    {
        if (_arrivals.TryDequeue(out var oldest))
        {
            (shard, traceId) = (oldest.Shard, oldest.TraceId);
            return true;
        }

        (shard, traceId) = (-1, default);
        return false;
    }

    /// <summary>Forgets arrivals before <paramref name="timestamp"/>: their traces were due, so decided, by then.</summary>
    public void ForgetArrivedBefore(long timestamp)
    {
        while (_arrivals.TryPeek(out var oldest) && oldest.Arrival < timestamp)
        {
            _arrivals.TryDequeue(out _);
        }
    }

    public void SpansAdded(int spans, long bytes)
    {
        Interlocked.Add(ref _spans, spans);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void TraceClosed(int spans, long bytes)
    {
        Interlocked.Decrement(ref _traces);
        Interlocked.Add(ref _spans, -spans);
        Interlocked.Add(ref _bytes, -bytes);
    }

    public void ExportPending(long bytes, int spans)
    {
        Interlocked.Add(ref _pendingExportBytes, bytes);
        Interlocked.Add(ref _undeliveredExportSpans, spans);
    }

    /// <summary>The backend has (or refused for good) an export's spans; said from the exporter's thread, as it happens.</summary>
    public void ExportConfirmed(int spans) => Interlocked.Add(ref _undeliveredExportSpans, -spans);

    /// <summary>A pending export's bytes left memory (its shard handled the result).</summary>
    public void ExportReleased(long bytes) => Interlocked.Add(ref _pendingExportBytes, -bytes);
}
