using System.Buffers.Binary;

namespace OtelTailSampler.Otlp.Grpc;

/// <summary>
/// The gRPC-over-HTTP/2 wire format (grpc/doc/PROTOCOL-HTTP2.md): each message is a 5-byte prefix
/// (1 byte compressed flag, 4 bytes big-endian length) followed by the message bytes.
/// </summary>
public static class GrpcProtocol
{
    public const int FrameHeaderLength = 5;
    public const string ContentType = "application/grpc";
    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string StatusDetailsTrailer = "grpc-status-details-bin";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TimeoutHeader = "grpc-timeout";

    /// <summary>Writes the 5-byte frame header for a message of <paramref name="length"/> bytes.</summary>
    public static void WriteFrameHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>Reads a frame header; false when fewer than 5 bytes are given.</summary>
    public static bool TryReadFrameHeader(ReadOnlySpan<byte> source, out bool compressed, out uint length)
    {
        if (source.Length < FrameHeaderLength)
        {
            compressed = false;
            length = 0;
            return false;
        }

        compressed = source[0] != 0;
        length = BinaryPrimitives.ReadUInt32BigEndian(source[1..]);
        return true;
    }

    /// <summary>
    /// Percent-encodes a grpc-message value as the protocol asks: printable ASCII except '%' passes,
    /// everything else is UTF-8 percent-encoded.
    /// </summary>
    public static string EncodeMessage(string message)
    {
        var builder = new System.Text.StringBuilder(message.Length);
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>Decodes a percent-encoded grpc-message value.</summary>
    public static string DecodeMessage(string value) => Uri.UnescapeDataString(value);
}
