namespace OtelTailSampler.Sampling;

/// <summary>A boolean attribute equal to the configured value.</summary>
internal sealed class BooleanPredicate(ulong mask, bool expected) : AttributePredicate(mask)
{
    public override bool Matches(AttributeValue value) => value.Kind == AttributeValueKind.Bool && value.Bool == expected;
}
