namespace OtelTailSampler.Sampling;

/// <summary>An integer or double attribute within [min, max]; strings that look like numbers do not count.</summary>
internal sealed class NumericRangePredicate(ulong mask, double min, double max) : AttributePredicate(mask)
{
    public override bool Matches(AttributeValue value)
    {
        double number;
        switch (value.Kind)
        {
            case AttributeValueKind.Int:
                number = value.Int;
                break;
            case AttributeValueKind.Double:
                number = value.Double;
                break;
            default:
                return false;
        }

        // NaN compares false both ways, so it never matches.
        return number >= min && number <= max;
    }
}
