namespace OtelTailSampler.Sampling;

/// <summary>
/// Keeps traces where a span or resource has the integer or double attribute <paramref name="Key"/> within
/// [<paramref name="MinValue"/>, <paramref name="MaxValue"/>] (a missing bound is unbounded).
/// <paramref name="InvertMatch"/> keeps the traces where no span and no resource matches instead.
/// </summary>
public sealed record NumericAttributePolicyOptions(
    string Name, string Key, double? MinValue, double? MaxValue, bool InvertMatch) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.NumericAttribute;
}
