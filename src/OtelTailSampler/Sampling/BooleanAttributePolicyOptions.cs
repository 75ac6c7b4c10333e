namespace OtelTailSampler.Sampling;

/// <summary>
/// Keeps traces where a span or resource has the boolean attribute <paramref name="Key"/> equal to
/// <paramref name="Value"/>. <paramref name="InvertMatch"/> keeps the traces where no span and no resource matches instead.
/// </summary>
public sealed record BooleanAttributePolicyOptions(string Name, string Key, bool Value, bool InvertMatch) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.BooleanAttribute;
}
