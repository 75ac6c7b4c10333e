using System.Text;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Tests.Persistence;

public sealed class JournalSegmentTests
{
    private const long WrittenAt = 1_780_000_000_000;

    [Fact]
    public void Events_of_several_ids_decode_in_write_order_with_their_numbers_types_and_payloads()
    {
        AtomicWrite[] writes =
        [
            new("shard-0001", 4, [new PendingEvent(1, Bytes("a4")), new PendingEvent(-7, Bytes("a5"))]),
            new("shard-0002", 1, 3, Bytes("b1")),
            new("shard-0001", 6, 2, ReadOnlyMemory<byte>.Empty),
        ];

        var segment = JournalSegment.Encode(writes, WrittenAt);

        Assert.True(JournalSegment.TryDecode(WrittenAt, segment.Checksum, segment.Summary, segment.Content, out var entries, out var events, out var problem), problem);
        Assert.Equal([new SegmentEntry("shard-0001", 4, 6), new SegmentEntry("shard-0002", 1, 1)], entries);
        Assert.Equal(
            [("shard-0001", 4L, 1, "a4"), ("shard-0001", 5L, -7, "a5"), ("shard-0002", 1L, 3, "b1"), ("shard-0001", 6L, 2, "")],
            events.Select(e => (entries[e.Entry].PersistenceId, e.SequenceNr, e.EventType, Encoding.UTF8.GetString(e.Payload.Span))));
    }

    [Fact]
    public void A_payload_shared_by_many_events_is_stored_once_and_deflated()
    {
        // One request's bytes appended to 50 shards: what the journal stores is about one copy, compressed.
        var request = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"span {i % 37} of service checkout;")));
        var writes = Enumerable.Range(0, 50).Select(shard => new AtomicWrite($"shard-{shard:D4}", 1, 1, request)).ToList();

        var segment = JournalSegment.Encode(writes, WrittenAt);

        Assert.True(segment.RawBytes < request.Length + 1024, $"raw content {segment.RawBytes} bytes for a {request.Length}-byte payload");
        Assert.True(segment.Content.Length < request.Length / 4, $"stored {segment.Content.Length} bytes for a {request.Length}-byte payload");
        Assert.True(JournalSegment.TryDecode(WrittenAt, segment.Checksum, segment.Summary, segment.Content, out _, out var events, out var problem), problem);
        Assert.Equal(50, events.Count);
        Assert.All(events, e => Assert.Equal(request, e.Payload.ToArray()));

        // Decoded events share one slice too, so recovery can split the request once.
        Assert.Single(events.Select(e => e.Payload).Distinct());
    }

    [Fact]
    public void Distinct_arrays_with_equal_bytes_are_stored_separately()
    {
        var writes = new[] { new AtomicWrite("a", 1, 1, Bytes("same")), new AtomicWrite("b", 1, 1, Bytes("same")) };

        var segment = JournalSegment.Encode(writes, WrittenAt);

        Assert.True(JournalSegment.TryDecode(WrittenAt, segment.Checksum, segment.Summary, segment.Content, out _, out var events, out _));
        Assert.Equal(["same", "same"], events.Select(e => Encoding.UTF8.GetString(e.Payload.Span)));
        Assert.Equal(2, events.Select(e => e.Payload).Distinct().Count());
    }

    [Fact]
    public void Any_changed_byte_or_write_time_fails_the_checksum()
    {
        var segment = JournalSegment.Encode([new AtomicWrite("p", 1, 1, new byte[5000])], WrittenAt);

        for (var i = 0; i < segment.Content.Length; i += 7)
        {
            var content = (byte[])segment.Content.Clone();
            content[i] ^= 0x10;
            Assert.False(JournalSegment.TryDecode(WrittenAt, segment.Checksum, segment.Summary, content, out _, out _, out var problem));
            Assert.Contains("checksum mismatch", problem, StringComparison.Ordinal);
        }

        var summary = (byte[])segment.Summary.Clone();
        summary[^1] ^= 1;
        Assert.False(JournalSegment.TryDecode(WrittenAt, segment.Checksum, summary, segment.Content, out _, out _, out _));
        Assert.False(JournalSegment.TryDecode(WrittenAt + 1, segment.Checksum, segment.Summary, segment.Content, out _, out _, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(40)]
    public void A_torn_content_with_a_matching_checksum_never_throws_nor_returns_wrong_events(int cut)
    {
        // A writer that stored a short content and its checksum: the encoding itself must catch what is missing.
        // (Deflate's last byte or two may hold only the end-of-stream marker; losing it loses no event.)
        var payload = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7 % 251)).ToArray();
        var segment = JournalSegment.Encode([new AtomicWrite("p", 1, 2, payload), new AtomicWrite("q", 1, 2, new byte[2000])], WrittenAt);
        var torn = segment.Content[..^cut];
        var checksum = JournalSegment.Checksum(WrittenAt, segment.Summary, torn);

        if (JournalSegment.TryDecode(WrittenAt, checksum, segment.Summary, torn, out var entries, out var events, out var problem))
        {
            Assert.Equal([("p", 1L), ("q", 1L)], events.Select(e => (entries[e.Entry].PersistenceId, e.SequenceNr)));
            Assert.Equal(payload, events[0].Payload.ToArray());
            Assert.Equal(new byte[2000], events[1].Payload.ToArray());
        }
        else
        {
            Assert.Contains("cannot be decoded", problem, StringComparison.Ordinal);
            Assert.Empty(events);
        }

        Assert.True(cut < 10 || events.Count == 0, "ten bytes short of its end, the content must be reported as damaged");
    }

    [Fact]
    public void A_summary_that_is_not_one_is_not_read()
    {
        Assert.False(JournalSegment.TryReadSummary([], out _));
        Assert.False(JournalSegment.TryReadSummary([9, 1], out _));
        Assert.False(JournalSegment.TryReadSummary([1, 200, 1, 1], out _));
        var summary = JournalSegment.Encode([new AtomicWrite("p", 1, 1, Bytes("x"))], WrittenAt).Summary;
        Assert.True(JournalSegment.TryReadSummary(summary, out var entries));
        Assert.Equal([new SegmentEntry("p", 1, 1)], entries);
        Assert.False(JournalSegment.TryReadSummary([.. summary, 0], out _));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
