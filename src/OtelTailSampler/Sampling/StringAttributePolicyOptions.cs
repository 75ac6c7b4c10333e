namespace OtelTailSampler.Sampling;

/// <summary>
/// Keeps traces where a span or a span's resource has the string attribute <paramref name="Key"/> equal to
/// one of <paramref name="Values"/> (or, with <paramref name="EnabledRegexMatching"/>, matching one of them as
/// an unanchored regular expression). <paramref name="InvertMatch"/> keeps the traces where no span and no
/// resource matches instead.
/// </summary>
public sealed record StringAttributePolicyOptions(
    string Name, string Key, IReadOnlyList<string> Values, bool EnabledRegexMatching, bool InvertMatch) : PolicyOptions(Name)
{
    public override PolicyType Type => PolicyType.StringAttribute;
}
