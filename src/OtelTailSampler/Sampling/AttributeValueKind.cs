namespace OtelTailSampler.Sampling;

/// <summary>Which <c>AnyValue</c> field an attribute carried; arrays, maps and bytes are <see cref="Other"/>.</summary>
internal enum AttributeValueKind : byte
{
    None,
    String,
    Bool,
    Int,
    Double,
    Other,
}
