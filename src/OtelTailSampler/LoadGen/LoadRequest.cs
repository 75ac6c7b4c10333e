using System.Buffers;
using System.IO.Compression;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// One Export request ready to send, in a pooled buffer with room in front for the gRPC frame header, so either
/// transport sends it without a copy. Returns its buffer on dispose.
/// </summary>
internal sealed class LoadRequest : IDisposable
{
    public const int Headroom = GrpcProtocol.FrameHeaderLength;

    private readonly int _length;
    private byte[]? _buffer;

    /// <param name="buffer">A buffer from <see cref="ArrayPool{T}.Shared"/> whose message starts at <see cref="Headroom"/>; now owned by the request.</param>
    public LoadRequest(OtlpSignal signal, byte[] buffer, int length, int items, bool compressed = false)
    {
        Signal = signal;
        _buffer = buffer;
        _length = length;
        Items = items;
        Compressed = compressed;
    }

    public OtlpSignal Signal { get; }

    /// <summary>Spans, log records or data points in the request.</summary>
    public int Items { get; }

    /// <summary>True when <see cref="Body"/> is gzip-compressed.</summary>
    public bool Compressed { get; }

    /// <summary>The OTLP/HTTP body: the serialized request (gzip when <see cref="Compressed"/>).</summary>
    public ReadOnlyMemory<byte> Body => Buffer.AsMemory(Headroom, _length);

    /// <summary>The body behind its gRPC length-prefix.</summary>
    public ReadOnlyMemory<byte> GrpcMessage
    {
        get
        {
            GrpcProtocol.WriteFrameHeader(Buffer, Compressed, _length);
            return Buffer.AsMemory(0, Headroom + _length);
        }
    }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(LoadRequest));

    /// <summary>A gzip-compressed copy; this request is left as it is.</summary>
    public LoadRequest Gzip()
    {
        using var output = new MemoryStream(_length / 3 + 64);
        output.Write(new byte[Headroom]);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Body.Span);
        }

        var compressed = ArrayPool<byte>.Shared.Rent((int)output.Length);
        output.GetBuffer().AsSpan(0, (int)output.Length).CopyTo(compressed);
        return new LoadRequest(Signal, compressed, (int)output.Length - Headroom, Items, compressed: true);
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
