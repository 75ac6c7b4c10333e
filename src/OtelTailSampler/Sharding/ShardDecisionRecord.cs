using System.Buffers.Binary;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The payload of <see cref="ShardEventType.TraceKept"/> and <see cref="ShardEventType.TraceCompleted"/>:
/// 16 bytes of trace ID, the policy index (-1 for a trace no policy kept) and the adjusted count.
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
