using System.Buffers.Binary;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The payload of <see cref="ShardEventType.TraceKept"/> and <see cref="ShardEventType.TraceCompleted"/>:
/// 16 bytes of trace ID, the policy index (-1 for a trace no policy kept) and the adjusted count; a completion
/// adds the sequence number of the last SpansAppended event whose spans it covers (<see cref="EncodeCompletion"/>).
/// </summary>
public readonly record struct ShardDecisionRecord(TraceId TraceId, int PolicyIndex, double AdjustedCount)
{
    public const int Length = TraceId.Length + 4 + 8;

    public bool Kept => PolicyIndex >= 0;

    public byte[] Encode()
    {
        var bytes = new byte[Length];
        TraceId.WriteTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(TraceId.Length), PolicyIndex);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(TraceId.Length + 4), AdjustedCount);
        return bytes;
    }

    /// <summary>
    /// A completion's payload: the record and the last event of the shard whose spans of the trace it delivered
    /// (or decided to drop). Spans that arrived later, in later events (late spans), are not covered by it.
    /// </summary>
    public byte[] EncodeCompletion(long coveredUpTo)
    {
        var bytes = new byte[Length + 8];
        Encode().CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(Length), coveredUpTo);
        return bytes;
    }

    /// <summary>Reads a completion; one written before completions named their last event covers every event.</summary>
    public static ShardDecisionRecord DecodeCompletion(ReadOnlySpan<byte> bytes, out long coveredUpTo)
    {
        coveredUpTo = bytes.Length == Length + 8 ? BinaryPrimitives.ReadInt64LittleEndian(bytes[Length..]) : long.MaxValue;
        return Decode(bytes.Length == Length + 8 ? bytes[..Length] : bytes);
    }

    public static ShardDecisionRecord Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new FormatException($"A decision record is {Length} bytes, not {bytes.Length}.");
        }

        return new ShardDecisionRecord(
            TraceId.FromBytes(bytes[..TraceId.Length]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[TraceId.Length..]),
            BinaryPrimitives.ReadDoubleLittleEndian(bytes[(TraceId.Length + 4)..]));
    }
}
