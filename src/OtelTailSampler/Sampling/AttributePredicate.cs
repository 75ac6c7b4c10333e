namespace OtelTailSampler.Sampling;

/// <summary>A compiled test on one attribute value; <see cref="Mask"/> is its bit in <see cref="TraceFacts.PredicateBits"/>.</summary>
internal abstract class AttributePredicate(ulong mask)
{
    public ulong Mask { get; } = mask;

    /// <summary>Whether <see cref="Matches"/> reads <see cref="AttributeValue.Chars"/>.</summary>
    public virtual bool NeedsChars => false;

    public abstract bool Matches(AttributeValue value);
}
