using System.Text;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Tests.Persistence;

public sealed class Crc32CTests
{
    public static TheoryData<byte[], uint> KnownValues => new()
    {
        // The check value of CRC-32C, and the test vectors of RFC 3720 (iSCSI), appendix B.4.
        { Encoding.ASCII.GetBytes("123456789"), 0xE3069283 },
        { new byte[32], 0x8A9136AA },
        { Enumerable.Repeat((byte)0xFF, 32).ToArray(), 0x62A8AB43 },
        { Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0x46DD794E },
        { Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(), 0x113FDB5C },
        { [], 0x00000000 },
    };

    [Theory]
    [MemberData(nameof(KnownValues))]
    public void Known_values_match_with_the_fastest_path_and_the_table(byte[] data, uint expected)
    {
        Assert.Equal(expected, Crc32C.Compute(data));
        Assert.Equal(expected, Crc32C.Finish(Crc32C.AppendSoftware(Crc32C.Start, data)));
    }

    [Fact]
    public void Appending_in_pieces_of_any_length_gives_the_crc_of_the_whole()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        var whole = Crc32C.Compute(data);

        foreach (var split in new[] { 1, 3, 7, 8, 9, 500, 999 })
        {
            var state = Crc32C.Append(Crc32C.Start, data.AsSpan(0, split));
            state = Crc32C.Append(state, data.AsSpan(split));
            Assert.Equal(whole, Crc32C.Finish(state));
            Assert.Equal(whole, Crc32C.Finish(Crc32C.AppendSoftware(Crc32C.AppendSoftware(Crc32C.Start, data.AsSpan(0, split)), data.AsSpan(split))));
        }
    }

    [Fact]
    public void The_segment_checksum_changes_with_write_time_summary_and_content()
    {
        byte[] summary = [1, 2, 3];
        var content = "content"u8.ToArray();
        var reference = JournalSegment.Checksum(1_000, summary, content);

        Assert.Equal(reference, JournalSegment.Checksum(1_000, summary, content));
        Assert.NotEqual(reference, JournalSegment.Checksum(1_001, summary, content));
        Assert.NotEqual(reference, JournalSegment.Checksum(1_000, [1, 2, 4], content));
        Assert.NotEqual(reference, JournalSegment.Checksum(1_000, summary, "contenu"u8));
    }
}
