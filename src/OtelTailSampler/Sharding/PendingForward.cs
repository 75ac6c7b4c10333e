namespace OtelTailSampler.Sharding;

/// <summary>One client request whose parts are with their owners: completes true when every part is journaled.</summary>
internal sealed class PendingForward
{
    /// <summary>Low bits of a part's tag that hold its index: a request has at most one part per shard, and shards are at most 2^20.</summary>
    public const int PartBits = 20;

    private const long PartMask = (1L << PartBits) - 1;

    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TraceShardSpans?[] _parts;

    public PendingForward(long requestId, int parts, long deadline)
    {
        RequestId = requestId;
        Unanswered = parts;
        Deadline = deadline;
        _parts = new TraceShardSpans?[parts];
    }

    public long RequestId { get; }

    /// <summary>Parts not answered yet; only <see cref="ForwardReplies"/> touches it.</summary>
    public int Unanswered { get; set; }

    /// <summary>A TimeProvider timestamp after which the client is told to retry.</summary>
    public long Deadline { get; }

    public Task<bool> Task => _done.Task;

    /// <summary>The number a part carries and its ack names: the request's number, then the part's index.</summary>
    public static long PartTag(long requestId, int index) => (requestId << PartBits) | (long)index;

    /// <summary>The request a part's tag belongs to.</summary>
    public static long RequestOf(long partTag) => partTag >> PartBits;

    /// <summary>Makes part <paramref name="index"/> of this request, remembered until its owner answers.</summary>
    public TraceShardSpans Part(int index, int shard, SpanBatch batch) => _parts[index] = new TraceShardSpans(shard, PartTag(RequestId, index), batch);

    /// <summary>The part an ack answers, once: null for a second answer to the same part (or a tag of no part of this request).</summary>
    public TraceShardSpans? Answer(long partTag)
    {
        var index = partTag & PartMask;
        if (index >= _parts.Length)
        {
            return null;
        }

        var part = _parts[index];
        _parts[index] = null;
        return part;
    }

    public void Complete(bool accepted) => _done.TrySetResult(accepted);
}
