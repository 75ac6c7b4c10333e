using System.Buffers;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Span-reference arrays for one trace shard's trace entities, by power-of-two size class. The shared array pool
/// keeps only a few arrays per size, so a tick that decides thousands of traces would hand most of them to
/// the garbage collector and the next traces would allocate again; this pool is owned by the shard's actor (no
/// locks) and keeps up to a bounded number per class.
/// </summary>
internal sealed class SpanRefArrayPool
{
    private const int SmallestLength = 8;
    private const int Classes = 6; // 8 .. 256 references
    private const int KeptPerClass = 16_384;

    private readonly Stack<SpanRef[]>[] _free = Enumerable.Range(0, Classes).Select(_ => new Stack<SpanRef[]>()).ToArray();

    public SpanRef[] Rent(int minimumLength)
    {
        var size = ClassOf(minimumLength);
        if (size < Classes)
        {
            return _free[size].TryPop(out var array) ? array : new SpanRef[SmallestLength << size];
        }

        return ArrayPool<SpanRef>.Shared.Rent(minimumLength);
    }

    /// <summary>Takes an array back, clearing the <paramref name="used"/> references so requests can be collected.</summary>
    public void Return(SpanRef[] array, int used)
    {
        array.AsSpan(0, used).Clear();
        var size = ClassOf(array.Length);
        if (size < Classes && array.Length == SmallestLength << size)
        {
            if (_free[size].Count < KeptPerClass)
            {
                _free[size].Push(array);
            }

            return;
        }

        ArrayPool<SpanRef>.Shared.Return(array);
    }

    private static int ClassOf(int length)
    {
        var size = 0;
        while ((SmallestLength << size) < length)
        {
            size++;
        }

        return size;
    }
}
