using System.Text.RegularExpressions;

namespace OtelTailSampler.Sampling;

/// <summary>A string attribute matching one of the regular expressions anywhere in the value (unanchored, as the Collector).</summary>
internal sealed class StringRegexPredicate(ulong mask, IReadOnlyList<string> patterns) : AttributePredicate(mask)
{
    /// <summary>
    /// The non-backtracking engine runs in time linear in the input, so no pattern can stall a trace shard,
    /// and it accepts the RE2-style syntax that Collector configurations are written in.
    /// </summary>
    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private readonly Regex[] _regexes = patterns.Select(pattern => new Regex(pattern, Options)).ToArray();

    public override bool NeedsChars => true;

    public override bool Matches(AttributeValue value)
    {
        if (value.Kind != AttributeValueKind.String)
        {
            return false;
        }

        foreach (var regex in _regexes)
        {
            if (regex.IsMatch(value.Chars))
            {
                return true;
            }
        }

        return false;
    }
}
