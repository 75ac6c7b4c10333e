using OtelTailSampler.Configuration.Hocon;

namespace OtelTailSampler.Tests.Configuration.Hocon;

public sealed class HoconSizeTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("123", 123L)]
    [InlineData("10B", 10L)]
    [InlineData("10 b", 10L)]
    [InlineData("1 byte", 1L)]
    [InlineData("12 bytes", 12L)]
    [InlineData("2kB", 2_000L)]
    [InlineData("2KB", 2_000L)]
    [InlineData("2 kilobytes", 2_000L)]
    [InlineData("1 kilobyte", 1_000L)]
    [InlineData("2K", 2_048L)]
    [InlineData("2k", 2_048L)]
    [InlineData("2Ki", 2_048L)]
    [InlineData("2KiB", 2_048L)]
    [InlineData("2 kibibytes", 2_048L)]
    [InlineData("1 kibibyte", 1_024L)]
    [InlineData("3MB", 3_000_000L)]
    [InlineData("3 megabytes", 3_000_000L)]
    [InlineData("3M", 3L * 1024 * 1024)]
    [InlineData("3m", 3L * 1024 * 1024)]
    [InlineData("3Mi", 3L * 1024 * 1024)]
    [InlineData("3MiB", 3L * 1024 * 1024)]
    [InlineData("3 mebibytes", 3L * 1024 * 1024)]
    [InlineData("4GB", 4_000_000_000L)]
    [InlineData("4G", 4L * 1024 * 1024 * 1024)]
    [InlineData("4g", 4L * 1024 * 1024 * 1024)]
    [InlineData("4Gi", 4L * 1024 * 1024 * 1024)]
    [InlineData("4GiB", 4L * 1024 * 1024 * 1024)]
    [InlineData("4 gibibytes", 4L * 1024 * 1024 * 1024)]
    [InlineData("5TB", 5_000_000_000_000L)]
    [InlineData("5T", 5L * 1024 * 1024 * 1024 * 1024)]
    [InlineData("5TiB", 5L * 1024 * 1024 * 1024 * 1024)]
    [InlineData("1PB", 1_000_000_000_000_000L)]
    [InlineData("1PiB", 1L << 50)]
    [InlineData("7EiB", 7L << 60)]
    [InlineData("1.5K", 1_536L)]
    [InlineData("0.5 KiB", 512L)]
    [InlineData("  64 MiB  ", 64L * 1024 * 1024)]
    public void Valid_sizes_parse_to_the_expected_bytes(string text, long expected)
    {
        Assert.True(HoconSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("MB")]
    [InlineData("10 parsecs")]
    [InlineData("10mB")]
    [InlineData("10 Kb")]
    [InlineData("10 MIB")]
    [InlineData("1,000")]
    [InlineData("8EiB")]
    [InlineData("10EB")]
    [InlineData("1ZB")]
    [InlineData("1YiB")]
    [InlineData("99999999999999999999999999999999999")]
    public void Invalid_or_overflowing_sizes_are_rejected(string? text)
    {
        Assert.False(HoconSize.TryParse(text, out var bytes));
        Assert.Equal(0L, bytes);
    }

    [Fact]
    public void Largest_long_in_bytes_parses()
    {
        Assert.True(HoconSize.TryParse("9223372036854775807", out var bytes));
        Assert.Equal(long.MaxValue, bytes);
    }
}
