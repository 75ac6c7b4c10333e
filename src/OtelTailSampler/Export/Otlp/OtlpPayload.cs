using System.Buffers;
using System.IO.Compression;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// The bytes of one export: the batch's requests concatenated (which is itself a valid request) and compressed
/// once, then reused by every retry. The pooled buffer keeps 5 bytes in front so gRPC can frame it in place.
/// </summary>
internal sealed class OtlpPayload : IDisposable
{
    private const int Headroom = GrpcProtocol.FrameHeaderLength;

    private readonly int _bodyLength;
    private byte[]? _buffer;

    private OtlpPayload(byte[] buffer, int bodyLength, bool compressed)
    {
        _buffer = buffer;
        _bodyLength = bodyLength;
        Compressed = compressed;
    }

    public bool Compressed { get; }

    /// <summary>The request body: protobuf bytes, gzip-compressed when <see cref="Compressed"/>.</summary>
    public ReadOnlyMemory<byte> Body => Buffer.AsMemory(Headroom, _bodyLength);

    /// <summary>The body behind its gRPC length-prefix, written in the headroom.</summary>
    public ReadOnlyMemory<byte> GrpcMessage
    {
        get
        {
            var buffer = Buffer;
            GrpcProtocol.WriteFrameHeader(buffer, Compressed, _bodyLength);
            return buffer.AsMemory(0, Headroom + _bodyLength);
        }
    }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(OtlpPayload));

    public static OtlpPayload Build(IReadOnlyList<QueuedRequest> requests, int totalBytes, bool gzip)
    {
        if (!gzip)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(Headroom + totalBytes);
            var offset = Headroom;
            foreach (var request in requests)
            {
                request.Bytes.Span.CopyTo(buffer.AsSpan(offset));
                offset += request.Bytes.Length;
            }

            return new OtlpPayload(buffer, totalBytes, compressed: false);
        }

        // Telemetry compresses well; a quarter of the input is a fair first guess for the output size.
        using var output = new PooledBufferStream(Headroom + (totalBytes / 4) + 64, Headroom);
        using (var compressor = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            foreach (var request in requests)
            {
                compressor.Write(request.Bytes.Span);
            }
        }

        var (compressed, length) = output.Detach();
        return new OtlpPayload(compressed, length - Headroom, compressed: true);
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
