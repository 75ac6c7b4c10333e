using System.Buffers;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// A write-only stream over a buffer rented from <see cref="ArrayPool{T}"/>, so that gzip output needs no fresh
/// arrays per batch. The first <c>headroom</c> bytes are left free for a gRPC frame header.
/// </summary>
internal sealed class PooledBufferStream : Stream
{
    private byte[]? _buffer;
    private int _length;

    public PooledBufferStream(int initialCapacity, int headroom)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, headroom + 256));
        _length = headroom;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>Hands the buffer over (the caller returns it to the pool) with the count of bytes written, headroom included.</summary>
    public (byte[] Buffer, int Length) Detach()
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferStream));
        _buffer = null;
        return (buffer, _length);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var current = _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferStream));
        if (current.Length - _length < buffer.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(current.Length * 2, _length + buffer.Length));
            current.AsSpan(0, _length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(current);
            _buffer = current = grown;
        }

        buffer.CopyTo(current.AsSpan(_length));
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }

        base.Dispose(disposing);
    }
}
