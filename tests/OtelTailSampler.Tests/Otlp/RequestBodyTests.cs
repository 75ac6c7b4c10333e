using OtelTailSampler.Otlp;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Otlp;

public sealed class RequestBodyTests
{
    private static readonly byte[] Data = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))];

    private static BodyReadResult Gunzip(byte[] compressed, long limit, out byte[] inflated)
    {
        using var destination = new PooledBufferWriter();
        var result = RequestBody.Gunzip(compressed, limit, destination);
        inflated = destination.WrittenSpan.ToArray();
        return result;
    }

    [Fact]
    public void Gzip_round_trips()
    {
        Assert.Equal(BodyReadResult.Ok, Gunzip(RequestBody.Gzip(Data), 1 << 20, out var inflated));
        Assert.Equal(Data, inflated);
    }

    [Fact]
    public void Empty_body_with_gzip_encoding_is_an_empty_request()
    {
        Assert.Equal(BodyReadResult.Ok, Gunzip([], 100, out var inflated));
        Assert.Empty(inflated);
    }

    [Fact]
    public void Gzip_member_of_no_data_is_valid()
    {
        // Header, an empty final stored block, CRC-32 0 and length 0: what gzip(1) writes for an empty file.
        byte[] empty = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

        Assert.Equal(BodyReadResult.Ok, Gunzip(empty, 100, out var inflated));
        Assert.Empty(inflated);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(40)]
    public void Truncated_gzip_is_corrupt_not_short(int cut)
    {
        var compressed = RequestBody.Gzip(Data);

        Assert.Equal(BodyReadResult.Corrupt, Gunzip(compressed[..^cut], 1 << 20, out _));
    }

    [Fact]
    public void Flipped_byte_in_the_data_is_corrupt()
    {
        var compressed = RequestBody.Gzip(Data);
        compressed[^5] ^= 0x40;

        Assert.Equal(BodyReadResult.Corrupt, Gunzip(compressed, 1 << 20, out _));
    }

    [Fact]
    public void Header_alone_is_corrupt()
    {
        Assert.Equal(BodyReadResult.Corrupt, Gunzip([0x1F, 0x8B, 0x08, 0, 1, 2, 3], 100, out _));
    }

    [Fact]
    public void Bomb_stops_one_chunk_past_the_limit()
    {
        var bomb = GzipBomb.Create(32 * 1024 * 1024);
        using var destination = new PooledBufferWriter();

        Assert.Equal(BodyReadResult.TooLarge, RequestBody.Gunzip(bomb, 1024 * 1024, destination));
        Assert.InRange(destination.WrittenCount, (1024 * 1024) + 1, (1024 * 1024) + (64 * 1024));
    }
}
