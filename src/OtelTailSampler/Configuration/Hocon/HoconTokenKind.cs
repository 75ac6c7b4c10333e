namespace OtelTailSampler.Configuration.Hocon;

/// <summary>The lexical pieces of HOCON.</summary>
internal enum HoconTokenKind
{
    /// <summary>A run of non-newline whitespace; kept because it is part of value concatenations.</summary>
    Whitespace,

    /// <summary>An ASCII newline, which separates fields and array elements like a comma does.</summary>
    Newline,
    Comma,
    Colon,
    Equals,
    PlusEquals,
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,

    /// <summary>A quoted or triple-quoted string; the token's text is the decoded content.</summary>
    QuotedString,

    /// <summary>Unquoted text, which also covers numbers, booleans and null.</summary>
    UnquotedText,

    /// <summary><c>${path}</c> or <c>${?path}</c>.</summary>
    Substitution,
    EndOfFile,
}
