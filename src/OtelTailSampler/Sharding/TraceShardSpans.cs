namespace OtelTailSampler.Sharding;

/// <summary>
/// The spans of one request that fall in one trace shard, on their way through the shard region to the shard's
/// owner. Within a node the message carries references into the client's buffer; to another node
/// <see cref="TraceShardSerializer"/> writes just these spans as an OTLP request.
/// </summary>
public sealed class TraceShardSpans
{
    private int _wireBytes;

    internal TraceShardSpans(int shard, long requestId, SpanBatch batch)
    {
        Shard = shard;
        RequestId = requestId;
        Batch = batch;
        SpanCount = batch.Count;
    }

    public int Shard { get; }

    /// <summary>
    /// The sending node's number for this part, which the owner's ack names: its request's number and its index in
    /// that request (<see cref="PendingForward.PartTag"/>).
    /// </summary>
    public long RequestId { get; }

    /// <summary>Spans in the part, counted when it was made (the batch is released once the part is written to another node).</summary>
    public int SpanCount { get; }

    /// <summary>
    /// Bytes the serializer wrote for the part when it went to another node (0 while it has not): what the link
    /// carried, before Akka.Remote's envelope. Written on the remoting thread, read when the owner's ack arrives.
    /// </summary>
    public int WireBytes
    {
        get => Volatile.Read(ref _wireBytes);
        internal set => Volatile.Write(ref _wireBytes, value);
    }

    internal SpanBatch Batch { get; }
}
