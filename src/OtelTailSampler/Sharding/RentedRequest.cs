using System.Buffers;
using System.Collections.Concurrent;
using OtelTailSampler.Export;

namespace OtelTailSampler.Sharding;

/// <summary>
/// A kept trace's request in a pooled array, with the completion the exporter calls when it is done with it.
/// The holders are pooled too and their delegate is made once, so handing a trace to the exporter allocates
/// nothing in steady state.
/// </summary>
internal sealed class RentedRequest
{
    private readonly ConcurrentQueue<RentedRequest> _pool;

    private RentedRequest(ConcurrentQueue<RentedRequest> pool)
    {
        _pool = pool;
        Completed = _ => Return();
    }

    public byte[] Array { get; private set; } = [];

    public int Length { get; private set; }

    /// <summary>Returns the array and the holder to their pools; the exporter calls it exactly once.</summary>
    public Action<ExportResult> Completed { get; }

    public ReadOnlyMemory<byte> Memory => Array.AsMemory(0, Length);

    public static RentedRequest Rent(ConcurrentQueue<RentedRequest> pool, ReadOnlySpan<byte> written)
    {
        var request = pool.TryDequeue(out var pooled) ? pooled : new RentedRequest(pool);
        request.Array = ArrayPool<byte>.Shared.Rent(written.Length);
        request.Length = written.Length;
        written.CopyTo(request.Array);
        return request;
    }

    private void Return()
    {
        ArrayPool<byte>.Shared.Return(Array);
        Array = [];
        Length = 0;
        _pool.Enqueue(this);
    }
}
