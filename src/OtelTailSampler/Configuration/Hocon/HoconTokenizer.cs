using System.Globalization;
using System.Text;

namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Splits HOCON text into tokens. Problems are recorded and skipped over so that one pass reports as many
/// as it can; comments are dropped here.
/// </summary>
internal sealed class HoconTokenizer
{
    private readonly string _text;
    private readonly string _file;
    private readonly List<HoconError> _errors;
    private readonly List<HoconToken> _tokens = [];
    private int _index;
    private int _line = 1;
    private int _column = 1;

    private HoconTokenizer(string text, string file, List<HoconError> errors)
    {
        _text = text;
        _file = file;
        _errors = errors;
    }

    /// <summary>The tokens of <paramref name="text"/>, always ending with an end-of-file token.</summary>
    public static IReadOnlyList<HoconToken> Tokenize(string text, string file, List<HoconError> errors)
    {
        var tokenizer = new HoconTokenizer(text, file, errors);
        tokenizer.Run();
        return tokenizer._tokens;
    }

    /// <summary>HOCON whitespace: Unicode separators, the ASCII controls the spec lists, and the BOM.</summary>
    public static bool IsWhitespace(char c) =>
        char.IsWhiteSpace(c) || c is '\uFEFF' or (>= '\u001C' and <= '\u001F');

    /// <summary>Characters that end unquoted text; several are reserved by the spec for future use.</summary>
    public static bool IsForbiddenInUnquotedText(char c) => c is '$' or '"' or '{' or '}' or '[' or ']' or ':'
        or '=' or ',' or '+' or '#' or '`' or '^' or '?' or '!' or '@' or '*' or '&' or '\\';

    private SourcePosition Here => new(_file, _line, _column);

    private char Peek(int ahead = 0) => _index + ahead < _text.Length ? _text[_index + ahead] : '\0';

    private bool AtEnd => _index >= _text.Length;

    private void Advance()
    {
        if (_text[_index] == '\n')
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }

        _index++;
    }

    private void Error(SourcePosition position, string message) => _errors.Add(new HoconError(position, message));

    private void Emit(HoconTokenKind kind, string text, SourcePosition position) =>
        _tokens.Add(new HoconToken(kind, text, position));

    private void EmitSingle(HoconTokenKind kind)
    {
        Emit(kind, _text[_index].ToString(), Here);
        Advance();
    }

    private void Run()
    {
        while (!AtEnd)
        {
            var c = Peek();
            switch (c)
            {
                case '\n':
                    EmitSingle(HoconTokenKind.Newline);
                    break;
                case '#':
                    SkipComment();
                    break;
                case '/' when Peek(1) == '/':
                    SkipComment();
                    break;
                case ',':
                    EmitSingle(HoconTokenKind.Comma);
                    break;
                case ':':
                    EmitSingle(HoconTokenKind.Colon);
                    break;
                case '=':
                    EmitSingle(HoconTokenKind.Equals);
                    break;
                case '{':
                    EmitSingle(HoconTokenKind.OpenBrace);
                    break;
                case '}':
                    EmitSingle(HoconTokenKind.CloseBrace);
                    break;
                case '[':
                    EmitSingle(HoconTokenKind.OpenBracket);
                    break;
                case ']':
                    EmitSingle(HoconTokenKind.CloseBracket);
                    break;
                case '+' when Peek(1) == '=':
                    Emit(HoconTokenKind.PlusEquals, "+=", Here);
                    Advance();
                    Advance();
                    break;
                case '"' when Peek(1) == '"' && Peek(2) == '"':
                    ReadTripleQuotedString();
                    break;
                case '"':
                    var start = Here;
                    Emit(HoconTokenKind.QuotedString, ReadQuotedString(), start);
                    break;
                case '$':
                    ReadSubstitution();
                    break;
                default:
                    if (IsWhitespace(c))
                    {
                        ReadWhitespace();
                    }
                    else if (IsForbiddenInUnquotedText(c))
                    {
                        Error(Here, $"the character '{c}' is not allowed outside quotes; put the value in double quotes");
                        Advance();
                    }
                    else
                    {
                        ReadUnquotedText();
                    }

                    break;
            }
        }

        Emit(HoconTokenKind.EndOfFile, "", Here);
    }

    private void SkipComment()
    {
        while (!AtEnd && Peek() != '\n')
        {
            Advance();
        }
    }

    private void ReadWhitespace()
    {
        var start = Here;
        var from = _index;
        while (!AtEnd && Peek() != '\n' && IsWhitespace(Peek()))
        {
            Advance();
        }

        Emit(HoconTokenKind.Whitespace, _text[from.._index], start);
    }

    private void ReadUnquotedText()
    {
        var start = Here;
        var from = _index;
        while (!AtEnd)
        {
            var c = Peek();
            if (IsWhitespace(c) || IsForbiddenInUnquotedText(c) || (c == '/' && Peek(1) == '/'))
            {
                break;
            }

            Advance();
        }

        Emit(HoconTokenKind.UnquotedText, _text[from.._index], start);
    }

    /// <summary>Reads a JSON string starting at its opening quote and returns its decoded content.</summary>
    private string ReadQuotedString()
    {
        var start = Here;
        Advance();
        var value = new StringBuilder();
        while (true)
        {
            if (AtEnd || Peek() == '\n')
            {
                var where = AtEnd ? "the file ends" : "the line ends";
                Error(start, $"unterminated string: {where} before the closing '\"'");
                return value.ToString();
            }

            var c = Peek();
            if (c == '"')
            {
                Advance();
                return value.ToString();
            }

            if (c != '\\')
            {
                value.Append(c);
                Advance();
                continue;
            }

            var escapeAt = Here;
            Advance();
            var escaped = Peek();
            switch (escaped)
            {
                case '"' or '\\' or '/':
                    value.Append(escaped);
                    break;
                case 'b':
                    value.Append('\b');
                    break;
                case 'f':
                    value.Append('\f');
                    break;
                case 'n':
                    value.Append('\n');
                    break;
                case 'r':
                    value.Append('\r');
                    break;
                case 't':
                    value.Append('\t');
                    break;
                case 'u' when _index + 4 < _text.Length && int.TryParse(_text.AsSpan(_index + 1, 4),
                    NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    value.Append((char)code);
                    for (var i = 0; i < 4; i++)
                    {
                        Advance();
                    }

                    break;
                default:
                    if (AtEnd || escaped == '\n')
                    {
                        // The unterminated-string error that follows says what is wrong.
                        continue;
                    }

                    Error(escapeAt, escaped == 'u'
                        ? "invalid escape: '\\u' must be followed by four hexadecimal digits"
                        : $"invalid escape '\\{escaped}'; use \\\\ for a backslash");
                    break;
            }

            Advance();
        }
    }

    private void ReadTripleQuotedString()
    {
        var start = Here;
        for (var i = 0; i < 3; i++)
        {
            Advance();
        }

        var from = _index;
        while (!AtEnd)
        {
            if (Peek() == '"' && Peek(1) == '"' && Peek(2) == '"')
            {
                // Quotes just before the closing three belong to the content, as in """a "quoted" word"""".
                while (Peek(3) == '"')
                {
                    Advance();
                }

                var content = _text[from.._index];
                for (var i = 0; i < 3; i++)
                {
                    Advance();
                }

                Emit(HoconTokenKind.QuotedString, content, start);
                return;
            }

            Advance();
        }

        Error(start, "unterminated multi-line string: the file ends before the closing '\"\"\"'");
        Emit(HoconTokenKind.QuotedString, _text[from..], start);
    }

    /// <summary>Reads <c>${path}</c> or <c>${?path}</c>; the path follows the rules for keys.</summary>
    private void ReadSubstitution()
    {
        var start = Here;
        var from = _index;
        if (Peek(1) != '{')
        {
            Error(start, "'$' must be followed by '{' to start a substitution; put the value in double quotes");
            Advance();
            return;
        }

        Advance();
        Advance();
        var optional = Peek() == '?';
        if (optional)
        {
            Advance();
        }

        var path = new HoconPathBuilder();
        var pendingWhitespace = new StringBuilder();
        while (true)
        {
            if (AtEnd || Peek() == '\n')
            {
                Error(start, "unterminated substitution: missing '}' before the end of the line");
                return;
            }

            var c = Peek();
            if (c == '}')
            {
                Advance();
                break;
            }

            if (IsWhitespace(c))
            {
                pendingWhitespace.Append(c);
                Advance();
                continue;
            }

            var pieceAt = Here;
            string piece;
            bool quoted;
            if (c == '"')
            {
                piece = ReadQuotedString();
                quoted = true;
            }
            else if (IsForbiddenInUnquotedText(c))
            {
                Error(pieceAt, $"the character '{c}' is not allowed in a substitution path; quote that part of the path");
                Advance();
                continue;
            }
            else
            {
                var pieceFrom = _index;
                while (!AtEnd && Peek() != '\n' && !IsWhitespace(Peek()) && !IsForbiddenInUnquotedText(Peek()))
                {
                    Advance();
                }

                piece = _text[pieceFrom.._index];
                quoted = false;
            }

            path.Append(piece, quoted, pendingWhitespace.ToString(), pieceAt);
            pendingWhitespace.Clear();
        }

        var raw = _text[from.._index];
        if (path.IsEmpty)
        {
            Error(start, $"empty substitution '{raw}': a path is required between the braces");
            return;
        }

        if (path.TryBuild(out var elements, out var problem, out var problemAt))
        {
            _tokens.Add(new HoconToken(HoconTokenKind.Substitution, raw, start) { Path = elements, IsOptional = optional });
        }
        else
        {
            Error(problemAt ?? start, $"invalid path in substitution '{raw}': {problem}");
        }
    }
}
