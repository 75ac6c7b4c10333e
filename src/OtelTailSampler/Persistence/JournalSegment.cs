using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Persistence;

/// <summary>
/// The stored form of one commit: every event of its atomic writes in one row, a segment, so a commit costs one
/// insert however many persistence ids it touches. A segment has a summary (which ids it holds, from which to which
/// sequence number), readable without the content, and the content: the events, with each distinct payload stored
/// once however many events carry it (one request's spans appended to many shards), deflated when that saves room.
/// A CRC-32C over the write time, the summary and the content catches a damaged or torn row.
/// </summary>
internal static class JournalSegment
{
    private const byte SummaryFormat = 1;
    private const byte RawContent = 0;
    private const byte DeflatedContent = 1;

    // Below this, deflate's fixed costs outweigh what it saves (a few decision events).
    private const int DeflateFrom = 256;

    // Bounds what a damaged length field can make replay allocate.
    private const int MaxContentBytes = int.MaxValue - 64;

    /// <summary>Encodes the writes of one commit, all stamped with the same write time.</summary>
    public static EncodedSegment Encode(IReadOnlyList<AtomicWrite> writes, long writtenAtUnixMs)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var entryOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = new List<SegmentEntry>();
        var payloadOf = new Dictionary<PayloadIdentity, int>();
        var payloads = new List<ReadOnlyMemory<byte>>();
        var writeEntries = new int[writes.Count];
        var eventPayloads = new List<int>();
        for (var w = 0; w < writes.Count; w++)
        {
            var write = writes[w];
            if (entryOf.TryGetValue(write.PersistenceId, out var entry))
            {
                var known = entries[entry];
                entries[entry] = known with
                {
                    FirstSequenceNr = Math.Min(known.FirstSequenceNr, write.FirstSequenceNr),
                    LastSequenceNr = Math.Max(known.LastSequenceNr, write.HighestSequenceNr),
                };
            }
            else
            {
                entry = entries.Count;
                entryOf[write.PersistenceId] = entry;
                entries.Add(new SegmentEntry(write.PersistenceId, write.FirstSequenceNr, write.HighestSequenceNr));
            }

            writeEntries[w] = entry;
            foreach (var pending in write.Events)
            {
                // The same bytes (by reference, not by content) are stored once.
                var key = PayloadIdentity.Of(pending.Payload, unique: payloads.Count);
                if (!payloadOf.TryGetValue(key, out var index))
                {
                    index = payloads.Count;
                    payloadOf[key] = index;
                    payloads.Add(pending.Payload);
                }

                eventPayloads.Add(index);
            }
        }

        using var raw = new PooledBufferWriter(64 * 1024);
        WriteVarint(raw, (ulong)payloads.Count);
        foreach (var payload in payloads)
        {
            WriteVarint(raw, (ulong)payload.Length);
            payload.Span.CopyTo(raw.GetSpan(payload.Length));
            raw.Advance(payload.Length);
        }

        WriteVarint(raw, (ulong)writes.Count);
        var eventIndex = 0;
        for (var w = 0; w < writes.Count; w++)
        {
            var write = writes[w];
            WriteVarint(raw, (ulong)writeEntries[w]);
            WriteVarint(raw, (ulong)write.FirstSequenceNr);
            WriteVarint(raw, (ulong)write.Events.Count);
            foreach (var pending in write.Events)
            {
                WriteVarint(raw, ZigZag(pending.EventType));
                WriteVarint(raw, (ulong)eventPayloads[eventIndex++]);
            }
        }

        var summary = EncodeSummary(entries);
        var content = Pack(raw.WrittenSpan);
        return new EncodedSegment(summary, content, Checksum(writtenAtUnixMs, summary, content), entries, raw.WrittenCount);
    }

    /// <summary>The CRC-32C a stored segment must carry.</summary>
    public static long Checksum(long writtenAtUnixMs, ReadOnlySpan<byte> summary, ReadOnlySpan<byte> content)
    {
        Span<byte> time = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(time, writtenAtUnixMs);
        var state = Crc32C.Append(Crc32C.Start, time);
        state = Crc32C.Append(state, summary);
        state = Crc32C.Append(state, content);
        return Crc32C.Finish(state);
    }

    /// <summary>Reads a summary; false when it is not one (a damaged row).</summary>
    public static bool TryReadSummary(ReadOnlySpan<byte> summary, out SegmentEntry[] entries)
    {
        entries = [];
        try
        {
            var reader = new Reader(summary);
            if (reader.Byte() != SummaryFormat)
            {
                return false;
            }

            var count = reader.Count(summary.Length);
            var read = new SegmentEntry[count];
            for (var i = 0; i < count; i++)
            {
                var idLength = reader.Count(summary.Length);
                var id = Encoding.UTF8.GetString(reader.Bytes(idLength));
                var first = (long)reader.Varint();
                var last = (long)reader.Varint();
                read[i] = new SegmentEntry(id, first, last);
            }

            if (!reader.AtEnd)
            {
                return false;
            }

            entries = read;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Checks and unpacks a stored segment. The events come in write order; payloads are slices of one buffer, and
    /// events that were written with the same bytes share the same slice. False, with the reason, for a damaged row.
    /// </summary>
    public static bool TryDecode(
        long writtenAtUnixMs, long checksum, byte[] summary, byte[] content, out SegmentEntry[] entries, out List<DecodedEvent> events, out string problem)
    {
        events = [];
        entries = [];
        var computed = Checksum(writtenAtUnixMs, summary, content);
        if (computed != checksum)
        {
            problem = $"checksum mismatch (stored {checksum:x8}, computed {computed:x8} over {content.Length} content bytes)";
            return false;
        }

        if (!TryReadSummary(summary, out entries))
        {
            problem = "the segment's summary cannot be read";
            return false;
        }

        try
        {
            var raw = Unpack(content);
            var reader = new Reader(raw);
            var payloadCount = reader.Count(raw.Length);
            var payloads = new ReadOnlyMemory<byte>[payloadCount];
            for (var i = 0; i < payloadCount; i++)
            {
                var length = reader.Count(raw.Length);
                var start = reader.Position;
                reader.Bytes(length);
                payloads[i] = raw.AsMemory(start, length);
            }

            var writeCount = reader.Count(raw.Length);
            for (var w = 0; w < writeCount; w++)
            {
                var entry = reader.Count(entries.Length - 1);
                var first = (long)reader.Varint();
                var count = reader.Count(raw.Length);
                for (var e = 0; e < count; e++)
                {
                    var type = UnZigZag(reader.Varint());
                    var payload = reader.Count(payloadCount - 1);
                    events.Add(new DecodedEvent(entry, first + e, type, payloads[payload]));
                }
            }

            if (!reader.AtEnd)
            {
                throw new FormatException("bytes after the last event");
            }

            problem = "";
            return true;
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or OverflowException or EndOfStreamException or ArgumentException or IndexOutOfRangeException)
        {
            events = [];
            problem = $"the content cannot be decoded ({e.Message})";
            return false;
        }
    }

    private static byte[] EncodeSummary(List<SegmentEntry> entries)
    {
        using var summary = new PooledBufferWriter(16 + entries.Count * 24);
        summary.GetSpan(1)[0] = SummaryFormat;
        summary.Advance(1);
        WriteVarint(summary, (ulong)entries.Count);
        foreach (var entry in entries)
        {
            var length = Encoding.UTF8.GetByteCount(entry.PersistenceId);
            WriteVarint(summary, (ulong)length);
            Encoding.UTF8.GetBytes(entry.PersistenceId, summary.GetSpan(length));
            summary.Advance(length);
            WriteVarint(summary, (ulong)entry.FirstSequenceNr);
            WriteVarint(summary, (ulong)entry.LastSequenceNr);
        }

        return summary.WrittenSpan.ToArray();
    }

    // Deflate at its fastest level: journal payloads (OTLP protobuf) shrink several times at a few hundred MB/s,
    // which costs less CPU than writing the bytes (twice, with the WAL) would.
    private static byte[] Pack(ReadOnlySpan<byte> raw)
    {
        if (raw.Length >= DeflateFrom)
        {
            using var packed = new MemoryStream(raw.Length / 3 + 16);
            packed.WriteByte(DeflatedContent);
            Span<byte> length = stackalloc byte[10];
            packed.Write(length[..WriteVarint(length, (ulong)raw.Length)]);
            using (var deflate = new DeflateStream(packed, new ZLibCompressionOptions { CompressionLevel = 1 }, leaveOpen: true))
            {
                deflate.Write(raw);
            }

            if (packed.Length < raw.Length)
            {
                return packed.ToArray();
            }
        }

        var stored = new byte[raw.Length + 1];
        stored[0] = RawContent;
        raw.CopyTo(stored.AsSpan(1));
        return stored;
    }

    private static byte[] Unpack(byte[] content)
    {
        var reader = new Reader(content);
        switch (reader.Byte())
        {
            case RawContent:
                return content.AsSpan(1).ToArray();
            case DeflatedContent:
                // Deflate expands at most about 1,032 times: a stated length beyond that is damage, not a reason to allocate.
                var length = reader.Count((int)Math.Min(MaxContentBytes, 1040L * content.Length));
                var raw = new byte[length];
                using (var inflate = new DeflateStream(new MemoryStream(content, reader.Position, content.Length - reader.Position), CompressionMode.Decompress))
                {
                    inflate.ReadExactly(raw);
                    if (inflate.ReadByte() != -1)
                    {
                        throw new FormatException("the deflated content is longer than its stated length");
                    }
                }

                return raw;
            default:
                throw new FormatException("unknown content encoding");
        }
    }

    private static void WriteVarint(PooledBufferWriter writer, ulong value) => writer.Advance(WriteVarint(writer.GetSpan(10), value));

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static ulong ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private static int UnZigZag(ulong value) => value > uint.MaxValue
        ? throw new FormatException("an event type out of range")
        : (int)((uint)value >> 1) ^ -(int)((uint)value & 1);

    /// <summary>Reads what the encoder wrote; every overrun or out-of-range number is a <see cref="FormatException"/>.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public readonly bool AtEnd => Position == _data.Length;

        public byte Byte() => Position < _data.Length ? _data[Position++] : throw new FormatException("the record ends early");

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (count > _data.Length - Position)
            {
                throw new FormatException("the record ends early");
            }

            var bytes = _data.Slice(Position, count);
            Position += count;
            return bytes;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new FormatException("a number is too long");
        }

        /// <summary>A count or index, at most <paramref name="max"/>.</summary>
        public int Count(int max)
        {
            var value = Varint();
            return max >= 0 && value <= (ulong)max ? (int)value : throw new FormatException($"a count or index of {value} is out of range");
        }
    }
}
