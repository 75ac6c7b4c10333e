using System.Buffers;
using System.Text;

namespace OtelTailSampler.Sampling;

/// <summary>The predicates that read one attribute key, so a key is compared once however many policies read it.</summary>
internal sealed class AttributeKeyGroup
{
    // Values up to this many bytes decode on the stack; longer ones borrow a pooled buffer.
    private const int StackChars = 256;

    private readonly AttributePredicate[] _predicates;
    private readonly bool _needsChars;

    public AttributeKeyGroup(string key, AttributePredicate[] predicates)
    {
        Key = Encoding.UTF8.GetBytes(key);
        _predicates = predicates;
        _needsChars = predicates.Any(predicate => predicate.NeedsChars);
    }

    public byte[] Key { get; }

    public ulong Match(AttributeValue value)
    {
        if (!_needsChars || value.Kind != AttributeValueKind.String)
        {
            return MatchAll(value);
        }

        // UTF-8 never takes fewer bytes than UTF-16 code units, so the byte count bounds the char count.
        char[]? rented = null;
        Span<char> buffer = value.Utf8.Length <= StackChars
            ? stackalloc char[StackChars]
            : (rented = ArrayPool<char>.Shared.Rent(value.Utf8.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(value.Utf8, buffer);
            return MatchAll(value with { Chars = buffer[..length] });
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private ulong MatchAll(AttributeValue value)
    {
        ulong bits = 0;
        foreach (var predicate in _predicates)
        {
            if (predicate.Matches(value))
            {
                bits |= predicate.Mask;
            }
        }

        return bits;
    }
}
