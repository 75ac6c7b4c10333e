namespace OtelTailSampler.Sharding;

/// <summary>
/// The spans of one request that fall in one trace shard, on their way through the shard region to the shard's
/// owner. Within a node the message carries references into the client's buffer; to another node
/// <see cref="TraceShardSerializer"/> writes just these spans as an OTLP request.
/// </summary>
public sealed class TraceShardSpans
{
    internal TraceShardSpans(int shard, long requestId, SpanBatch batch)
    {
        Shard = shard;
        RequestId = requestId;
        Batch = batch;
    }

    public int Shard { get; }

    /// <summary>The receiving node's number for the client request this part belongs to; the ack names it.</summary>
    public long RequestId { get; }

    internal SpanBatch Batch { get; }
}
