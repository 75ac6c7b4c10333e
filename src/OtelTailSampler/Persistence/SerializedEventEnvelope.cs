using System.Buffers.Binary;
using System.Text;

namespace OtelTailSampler.Persistence;

/// <summary>
/// The stored form of an event that is not a <see cref="SegmentEvent"/>, as Akka's serialization made it: the
/// serializer's id (4 bytes, little-endian), the manifest's length (4 bytes) and UTF-8, then the serializer's bytes.
/// </summary>
internal static class SerializedEventEnvelope
{
    private const int HeaderLength = 8;

    public static byte[] Write(int serializerId, string manifest, ReadOnlySpan<byte> bytes)
    {
        var manifestLength = Encoding.UTF8.GetByteCount(manifest);
        var envelope = new byte[HeaderLength + manifestLength + bytes.Length];
        BinaryPrimitives.WriteInt32LittleEndian(envelope, serializerId);
        BinaryPrimitives.WriteInt32LittleEndian(envelope.AsSpan(4), manifestLength);
        Encoding.UTF8.GetBytes(manifest, envelope.AsSpan(HeaderLength));
        bytes.CopyTo(envelope.AsSpan(HeaderLength + manifestLength));
        return envelope;
    }

    public static (int SerializerId, string Manifest, byte[] Bytes) Read(ReadOnlySpan<byte> envelope)
    {
        if (envelope.Length < HeaderLength)
        {
            throw new FormatException("a serialized event shorter than its header");
        }

        var serializerId = BinaryPrimitives.ReadInt32LittleEndian(envelope);
        var manifestLength = BinaryPrimitives.ReadInt32LittleEndian(envelope[4..]);
        if (manifestLength < 0 || manifestLength > envelope.Length - HeaderLength)
        {
            throw new FormatException("a serialized event's manifest runs past its end");
        }

        var manifest = Encoding.UTF8.GetString(envelope.Slice(HeaderLength, manifestLength));
        return (serializerId, manifest, envelope[(HeaderLength + manifestLength)..].ToArray());
    }
}
