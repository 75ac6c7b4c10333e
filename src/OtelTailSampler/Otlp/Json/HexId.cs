using System.Buffers;
using System.Text.Json;

namespace OtelTailSampler.Otlp.Json;

/// <summary>Hex text for trace and span ids, which OTLP JSON writes as hex where proto3 JSON would use base64.</summary>
internal static class HexId
{
    // Ids are 16 or 8 bytes; only a malformed one is longer, and that is rare enough to rent a buffer for.
    private const int StackBytes = 32;

    /// <summary>Decodes UTF-8 hex of either case; false on an odd length or a non-hex character.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> utf8Hex, out byte[] bytes)
    {
        bytes = [];
        if (utf8Hex.Length % 2 != 0)
        {
            return false;
        }

        var decoded = new byte[utf8Hex.Length / 2];
        for (var i = 0; i < decoded.Length; i++)
        {
            var high = Nibble(utf8Hex[2 * i]);
            var low = Nibble(utf8Hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                return false;
            }

            decoded[i] = (byte)((high << 4) | low);
        }

        bytes = decoded;
        return true;
    }

    /// <summary>Writes the id as a lowercase hex string value.</summary>
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> id)
    {
        char[]? rented = null;
        var chars = id.Length <= StackBytes
            ? stackalloc char[StackBytes * 2]
            : (rented = ArrayPool<char>.Shared.Rent(id.Length * 2));
        try
        {
            Convert.TryToHexStringLower(id, chars, out var written);
            writer.WriteStringValue(chars[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
