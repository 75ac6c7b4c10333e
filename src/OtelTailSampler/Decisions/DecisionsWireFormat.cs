using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.Serialization;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Decisions;

/// <summary>
/// The bytes of a <see cref="ReplicatedDecisions"/> or a <see cref="ReplicatedDecisionsDelta"/>: a version byte
/// (1), the epoch and the entry count as unsigned LEB128 varints, then each entry in ascending trace-ID order:
/// the 16 trace-ID bytes (big-endian, as <see cref="TraceId.WriteTo"/>), a kind byte (0 dropped, 1 kept) and,
/// when kept, the policy index as a varint and the adjusted count as a little-endian IEEE 754 double.
/// </summary>
/// <remarks>
/// Deterministic: the Replicator's gossip compares replicas by a digest of their serialized bytes, so equal
/// states must give equal bytes, or replicas that agree would keep sending each other their whole state. The
/// sorted order and the exact double bits make it so. Reading checks the order, so two encodings of one state
/// cannot both be accepted.
/// </remarks>
internal static class DecisionsWireFormat
{
    private const byte Version = 1;
    private const byte DroppedKind = 0;
    private const byte KeptKind = 1;
    private const int SmallestEntry = TraceId.Length + 1;

    public static byte[] Write(long epoch, ImmutableSortedDictionary<TraceId, TraceDecision> entries)
    {
        // One pass to size the array exactly, one to fill it: no growing buffer, no copy.
        var length = 1 + VarintLength((ulong)epoch) + VarintLength((ulong)entries.Count);
        foreach (var (_, decision) in entries)
        {
            length += SmallestEntry + (decision.IsKept ? VarintLength((uint)decision.PolicyIndex) + sizeof(double) : 0);
        }

        var bytes = new byte[length];
        var span = bytes.AsSpan();
        span[0] = Version;
        var offset = 1;
        offset += WriteVarint(span[offset..], (ulong)epoch);
        offset += WriteVarint(span[offset..], (ulong)entries.Count);
        foreach (var (traceId, decision) in entries)
        {
            traceId.WriteTo(span[offset..]);
            offset += TraceId.Length;
            if (decision.IsKept)
            {
                span[offset++] = KeptKind;
                offset += WriteVarint(span[offset..], (uint)decision.PolicyIndex);
                BinaryPrimitives.WriteDoubleLittleEndian(span[offset..], decision.AdjustedCount);
                offset += sizeof(double);
            }
            else
            {
                span[offset++] = DroppedKind;
            }
        }

        return bytes;
    }

    public static (long Epoch, ImmutableSortedDictionary<TraceId, TraceDecision> Entries) Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || bytes[0] != Version)
        {
            throw new SerializationException($"Replicated decisions of an unknown format version {(bytes.IsEmpty ? "(none)" : bytes[0])}.");
        }

        var offset = 1;
        var epoch = ReadVarint(bytes, ref offset);
        var count = ReadVarint(bytes, ref offset);
        if (epoch > long.MaxValue || count > (ulong)(bytes.Length - offset) / SmallestEntry)
        {
            throw new SerializationException($"Replicated decisions with epoch {epoch} and {count} entries do not fit {bytes.Length} bytes.");
        }

        var entries = DecisionEntries.Empty.ToBuilder();
        TraceId previous = default;
        for (var index = 0UL; index < count; index++)
        {
            if (bytes.Length - offset < SmallestEntry)
            {
                throw new SerializationException("Replicated decisions end inside an entry.");
            }

            var traceId = TraceId.FromBytes(bytes.Slice(offset, TraceId.Length));
            offset += TraceId.Length;
            if (index > 0 && TraceIdOrder.Instance.Compare(previous, traceId) >= 0)
            {
                throw new SerializationException($"Replicated decisions out of trace-ID order at {traceId}.");
            }

            entries.Add(traceId, ReadDecision(bytes, ref offset));
            previous = traceId;
        }

        if (offset != bytes.Length)
        {
            throw new SerializationException($"Replicated decisions have {bytes.Length - offset} bytes after the last entry.");
        }

        return ((long)epoch, entries.ToImmutable());
    }

    private static TraceDecision ReadDecision(ReadOnlySpan<byte> bytes, ref int offset)
    {
        switch (bytes[offset++])
        {
            case DroppedKind:
                return TraceDecision.Dropped;
            case KeptKind:
                var policyIndex = ReadVarint(bytes, ref offset);
                if (policyIndex > int.MaxValue || bytes.Length - offset < sizeof(double))
                {
                    throw new SerializationException("Replicated decisions with a kept entry cut short or out of range.");
                }

                var adjustedCount = BinaryPrimitives.ReadDoubleLittleEndian(bytes[offset..]);
                offset += sizeof(double);
                return TraceDecision.Keep((int)policyIndex, adjustedCount);
            default:
                throw new SerializationException($"Replicated decisions with an unknown decision kind {bytes[offset - 1]}.");
        }
    }

    private static int VarintLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var length = 0;
        while (value >= 0x80)
        {
            destination[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[length++] = (byte)value;
        return length;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int offset)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (offset >= bytes.Length)
            {
                throw new SerializationException("Replicated decisions end inside a varint.");
            }

            var next = bytes[offset++];
            value |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80)
            {
                // A zero last byte after the first means a longer encoding of a shorter number: one value, one encoding.
                if (next == 0 && shift > 0)
                {
                    throw new SerializationException("Replicated decisions with an over-long varint.");
                }

                return value;
            }
        }

        throw new SerializationException("Replicated decisions with a varint over 64 bits.");
    }
}
