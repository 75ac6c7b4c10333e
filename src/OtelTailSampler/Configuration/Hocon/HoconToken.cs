namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// One lexical piece of HOCON. For strings <see cref="Text"/> is the decoded content; for substitutions it
/// is the text as written and <see cref="Path"/> holds the parsed path.
/// </summary>
internal sealed class HoconToken(HoconTokenKind kind, string text, SourcePosition position)
{
    public HoconTokenKind Kind { get; } = kind;

    public string Text { get; } = text;

    public SourcePosition Position { get; } = position;

    /// <summary>The path of a substitution token; empty for other tokens.</summary>
    public IReadOnlyList<string> Path { get; init; } = [];

    /// <summary>Whether a substitution token is the optional <c>${?path}</c> form.</summary>
    public bool IsOptional { get; init; }

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        HoconTokenKind.Newline => "the end of the line",
        HoconTokenKind.EndOfFile => "the end of the file",
        HoconTokenKind.Whitespace => "whitespace",
        HoconTokenKind.QuotedString => $"the string \"{Text}\"",
        _ => $"'{Text}'",
    };
}
