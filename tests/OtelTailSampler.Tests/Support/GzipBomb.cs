using System.IO.Compression;

namespace OtelTailSampler.Tests.Support;

/// <summary>Small gzip data that inflates to many zero bytes.</summary>
public static class GzipBomb
{
    public static byte[] Create(int inflatedSize)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[64 * 1024];
            for (var written = 0; written < inflatedSize; written += zeros.Length)
            {
                gzip.Write(zeros, 0, Math.Min(zeros.Length, inflatedSize - written));
            }
        }

        return output.ToArray();
    }
}
