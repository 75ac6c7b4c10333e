using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;

namespace OtelTailSampler.Otlp;

/// <summary>Reads request bodies into pooled buffers, never holding more than a limit.</summary>
public static class RequestBody
{
    private const int InflateChunk = 64 * 1024;

    /// <summary>Reads the whole body; stops as soon as it passes <paramref name="limit"/> bytes.</summary>
    public static async ValueTask<BodyReadResult> ReadAsync(PipeReader reader, long limit, PooledBufferWriter destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (destination.WrittenCount + buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                return BodyReadResult.TooLarge;
            }

            foreach (var segment in buffer)
            {
                destination.Write(segment.Span);
            }

            reader.AdvanceTo(buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return BodyReadResult.Ok;
            }
        }
    }

    /// <summary>
    /// Inflates gzip data chunk by chunk and stops once the output passes <paramref name="limit"/>, so a
    /// small bomb costs at most the limit, never its claimed size.
    /// </summary>
    public static BodyReadResult Gunzip(ReadOnlyMemory<byte> compressed, long limit, PooledBufferWriter destination)
    {
        // An empty body says nothing, compressed or not: it is an empty request, not a corrupt one.
        if (compressed.IsEmpty)
        {
            return BodyReadResult.Ok;
        }

        try
        {
            using var input = new ReadOnlyMemoryStream(compressed);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            while (true)
            {
                var span = destination.GetSpan(InflateChunk);
                var read = gzip.Read(span[..InflateChunk]);
                if (read == 0)
                {
                    return GzipTrailer.Matches(compressed.Span, destination.WrittenSpan) ? BodyReadResult.Ok : BodyReadResult.Corrupt;
                }

                destination.Advance(read);
                if (destination.WrittenCount > limit)
                {
                    return BodyReadResult.TooLarge;
                }
            }
        }
        catch (InvalidDataException)
        {
            return BodyReadResult.Corrupt;
        }
    }

    /// <summary>Compresses with gzip at the fastest level: responses and exports favour CPU over ratio.</summary>
    public static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => memory.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
