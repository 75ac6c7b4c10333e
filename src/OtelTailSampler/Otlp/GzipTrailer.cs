using System.Buffers.Binary;

namespace OtelTailSampler.Otlp;

/// <summary>
/// Checks a gzip member's trailer (RFC 1952: CRC-32 and length of the inflated data). .NET's GZipStream
/// reports a truncated or garbled stream as a normal end, so without this a corrupt body would inflate to
/// fewer bytes, or none, and be taken for a valid request.
/// </summary>
internal static class GzipTrailer
{
    private const int HeaderLength = 10;
    private const int TrailerLength = 8;

    private static readonly uint[] Table = BuildTable();

    /// <summary>
    /// True when the last 8 bytes of <paramref name="compressed"/> match <paramref name="inflated"/>. This
    /// assumes one gzip member, which is what HTTP and gRPC clients send.
    /// </summary>
    public static bool Matches(ReadOnlySpan<byte> compressed, ReadOnlySpan<byte> inflated)
    {
        if (compressed.Length < HeaderLength + TrailerLength)
        {
            return false;
        }

        var trailer = compressed[^TrailerLength..];
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]) == (uint)inflated.Length
            && BinaryPrimitives.ReadUInt32LittleEndian(trailer) == Crc32(inflated);
    }

    /// <summary>The CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) that gzip uses.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
