using System.Text;

namespace OtelTailSampler.Sampling;

/// <summary>A string attribute equal to one of the values, compared as UTF-8 bytes.</summary>
internal sealed class StringExactPredicate(ulong mask, IReadOnlyList<string> values) : AttributePredicate(mask)
{
    private readonly byte[][] _values = values.Select(Encoding.UTF8.GetBytes).ToArray();

    public override bool Matches(AttributeValue value)
    {
        if (value.Kind != AttributeValueKind.String)
        {
            return false;
        }

        foreach (var candidate in _values)
        {
            if (value.Utf8.SequenceEqual(candidate))
            {
                return true;
            }
        }

        return false;
    }
}
