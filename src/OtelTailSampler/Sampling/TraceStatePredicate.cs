using System.Text;

namespace OtelTailSampler.Sampling;

/// <summary>A W3C trace-state entry with the key set to one of the values, compared as UTF-8 bytes.</summary>
internal sealed class TraceStatePredicate(ulong mask, string key, IReadOnlyList<string> values)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);
    private readonly byte[][] _values = values.Select(Encoding.UTF8.GetBytes).ToArray();

    public ulong Mask { get; } = mask;

    public bool Matches(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (!key.SequenceEqual(_key))
        {
            return false;
        }

        foreach (var candidate in _values)
        {
            if (value.SequenceEqual(candidate))
            {
                return true;
            }
        }

        return false;
    }
}
