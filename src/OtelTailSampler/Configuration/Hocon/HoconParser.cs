namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Builds the tree of one HOCON file, expanding its includes. Substitutions are left in the tree to be
/// resolved once every layer is merged. After a problem the parser records it, skips to the end of the
/// field and carries on, so one run reports as many problems as it can.
/// </summary>
internal sealed class HoconParser
{
    private const string IncludeKeyword = "include";

    private readonly IReadOnlyList<HoconToken> _tokens;
    private readonly HoconSource _source;

    // Where this file's root object sits in the whole configuration: empty except for included files.
    private readonly IReadOnlyList<string> _rootPath;

    // Full paths of the files being read, outermost first, to catch include cycles.
    private readonly IReadOnlyList<string> _includeChain;
    private readonly List<HoconError> _errors;
    private int _index;

    private HoconParser(
        HoconSource source, IReadOnlyList<string> rootPath, IReadOnlyList<string> includeChain, List<HoconError> errors)
    {
        _source = source;
        _rootPath = rootPath;
        _includeChain = includeChain;
        _errors = errors;
        _tokens = HoconTokenizer.Tokenize(source.Text, source.FileName, errors);
    }

    /// <summary>Parses one layer; problems are added to <paramref name="errors"/>.</summary>
    public static HoconObject Parse(HoconSource source, List<HoconError> errors) =>
        new HoconParser(source, [], [Path.GetFullPath(source.FileName)], errors).ParseRoot();

    private HoconToken Current => _tokens[_index];

    private void Advance()
    {
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }
    }

    private void Error(SourcePosition position, string message) => _errors.Add(new HoconError(position, message));

    private void SkipWhitespace()
    {
        while (Current.Kind == HoconTokenKind.Whitespace)
        {
            Advance();
        }
    }

    private void SkipWhitespaceAndNewlines()
    {
        while (Current.Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline)
        {
            Advance();
        }
    }

    private HoconObject ParseRoot()
    {
        SkipWhitespaceAndNewlines();
        var first = Current;
        if (first.Kind == HoconTokenKind.OpenBracket)
        {
            Error(first.Position, "the root of a configuration file must be an object, not an array");
            return new HoconObject(new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal), first.Position);
        }

        if (first.Kind != HoconTokenKind.OpenBrace)
        {
            // Without braces the whole file is the body of the root object.
            return ParseObjectBody(_rootPath, openBrace: null);
        }

        Advance();
        var root = ParseObjectBody(_rootPath, first);
        SkipWhitespaceAndNewlines();
        if (Current.Kind != HoconTokenKind.EndOfFile)
        {
            Error(Current.Position, $"unexpected {Current.Describe()} after the '}}' that closes the root object");
        }

        return root;
    }

    /// <summary>
    /// Parses fields up to the closing brace (or the end of the file for a root without braces).
    /// <paramref name="path"/> is where the object sits, or null inside an array.
    /// </summary>
    private HoconObject ParseObjectBody(IReadOnlyList<string>? path, HoconToken? openBrace)
    {
        var fields = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal);
        var position = openBrace?.Position ?? new SourcePosition(_source.FileName, 1, 1);
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var token = Current;
            switch (token.Kind)
            {
                case HoconTokenKind.EndOfFile:
                    if (openBrace is not null)
                    {
                        Error(openBrace.Position, "'{' is never closed: the file ends before its matching '}'");
                    }

                    return new HoconObject(fields, position);
                case HoconTokenKind.CloseBrace when openBrace is not null:
                    Advance();
                    return new HoconObject(fields, position);
                case HoconTokenKind.CloseBracket when openBrace is not null:
                    // Likely a missing '}': leave the ']' to the array that owns it.
                    Error(openBrace.Position, $"'{{' is never closed: found ']' at {token.Position.Line}:{token.Position.Column} before its matching '}}'");
                    return new HoconObject(fields, position);
                case HoconTokenKind.CloseBrace or HoconTokenKind.CloseBracket:
                    Error(token.Position, $"unexpected '{token.Text}' with no matching opening bracket");
                    Advance();
                    continue;
                case HoconTokenKind.Comma:
                    Error(token.Position, "unexpected ','; a field is expected here (a comma before the first field or two commas in a row)");
                    Advance();
                    continue;
            }

            if (!ParseFieldOrInclude(fields, path))
            {
                SkipToEndOfField();
                continue;
            }

            SkipWhitespace();
            token = Current;
            switch (token.Kind)
            {
                case HoconTokenKind.Comma:
                    Advance();
                    break;
                case HoconTokenKind.Newline or HoconTokenKind.CloseBrace or HoconTokenKind.CloseBracket
                    or HoconTokenKind.EndOfFile:
                    break;
                case HoconTokenKind.Colon or HoconTokenKind.Equals or HoconTokenKind.PlusEquals:
                    Error(token.Position, $"unexpected '{token.Text}' in a value; put values that contain '{token.Text}' in double quotes, or separate fields with ',' or a new line");
                    SkipToEndOfField();
                    break;
                default:
                    Error(token.Position, $"expected ',' or a new line after a field but found {token.Describe()}");
                    SkipToEndOfField();
                    break;
            }
        }
    }

    /// <summary>Skips the rest of a broken field or array element, stopping before the next one.</summary>
    private void SkipToEndOfField()
    {
        var depth = 0;
        while (true)
        {
            switch (Current.Kind)
            {
                case HoconTokenKind.EndOfFile:
                    return;
                case HoconTokenKind.Newline when depth == 0:
                    return;
                case HoconTokenKind.Comma when depth == 0:
                    Advance();
                    return;
                case HoconTokenKind.CloseBrace or HoconTokenKind.CloseBracket when depth == 0:
                    return;
                case HoconTokenKind.OpenBrace or HoconTokenKind.OpenBracket:
                    depth++;
                    break;
                case HoconTokenKind.CloseBrace or HoconTokenKind.CloseBracket:
                    depth--;
                    break;
            }

            Advance();
        }
    }

    private static void SetField(OrderedDictionary<string, HoconNode> fields, string key, HoconNode value) =>
        fields[key] = fields.TryGetValue(key, out var existing) ? HoconMerge.Merge(existing, value) : value;

    private bool ParseFieldOrInclude(OrderedDictionary<string, HoconNode> fields, IReadOnlyList<string>? path)
    {
        if (IsIncludeStatement())
        {
            return ParseInclude(fields, path);
        }

        var keyStart = Current;
        var key = new HoconPathBuilder();
        var whitespace = "";
        while (Current.Kind is HoconTokenKind.UnquotedText or HoconTokenKind.QuotedString or HoconTokenKind.Whitespace)
        {
            if (Current.Kind == HoconTokenKind.Whitespace)
            {
                whitespace += Current.Text;
            }
            else
            {
                key.Append(Current.Text, Current.Kind == HoconTokenKind.QuotedString, whitespace, Current.Position);
                whitespace = "";
            }

            Advance();
        }

        if (key.IsEmpty)
        {
            Error(keyStart.Position, keyStart.Kind == HoconTokenKind.Substitution
                ? "a key cannot contain a substitution"
                : $"expected a key but found {keyStart.Describe()}");
            return false;
        }

        if (!key.TryBuild(out var keyPath, out var problem, out var problemAt))
        {
            Error(problemAt ?? keyStart.Position, $"invalid key: {problem}");
            return false;
        }

        var fieldPath = path is null ? null : HoconPaths.Append(path, keyPath);
        var separator = Current;
        HoconNode? value;
        switch (separator.Kind)
        {
            case HoconTokenKind.OpenBrace:
                value = ParseValue(fieldPath);
                break;
            case HoconTokenKind.Colon or HoconTokenKind.Equals:
                Advance();
                SkipToValue();
                value = ParseValue(fieldPath);
                break;
            case HoconTokenKind.PlusEquals:
                Advance();
                SkipToValue();
                value = ParseValue(null);
                if (value is not null)
                {
                    value = AppendToPrevious(fieldPath, value);
                }

                break;
            case HoconTokenKind.Substitution:
                Error(separator.Position, "a key cannot contain a substitution");
                return false;
            default:
                Error(separator.Position, $"expected ':', '=' or '{{' after the key '{HoconPaths.Render(keyPath)}' but found {separator.Describe()}");
                return false;
        }

        if (value is null)
        {
            return false;
        }

        // a.b.c = v is a { b { c = v } }.
        for (var i = keyPath.Count - 1; i > 0; i--)
        {
            var nested = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal) { [keyPath[i]] = value };
            value = new HoconObject(nested, keyStart.Position);
        }

        SetField(fields, keyPath[0], value);
        return true;
    }

    /// <summary>
    /// Skips whitespace after a separator, and new lines too when an object or array follows them, so
    /// <c>a =</c> with nothing after it is reported there rather than taking the next line as its value.
    /// </summary>
    private void SkipToValue()
    {
        SkipWhitespace();
        var next = _index;
        while (_tokens[next].Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline)
        {
            next++;
        }

        if (_tokens[next].Kind is HoconTokenKind.OpenBrace or HoconTokenKind.OpenBracket)
        {
            _index = next;
        }
    }

    /// <summary><c>a += v</c> is <c>a = ${?a} [v]</c>: the field's earlier array with one more element.</summary>
    private static HoconNode AppendToPrevious(IReadOnlyList<string>? fieldPath, HoconNode element)
    {
        var array = new HoconArray([element], element.Position);
        if (fieldPath is null)
        {
            // Inside an array there is no earlier value to append to.
            return array;
        }

        // An empty written path keeps the lookup out of the environment: only the earlier value counts.
        var previous = new HoconSubstitution(
            fieldPath, [], isOptional: true, $"${{?{HoconPaths.Render(fieldPath)}}}", element.Position);
        return new HoconConcatenation([previous, array], element.Position);
    }

    /// <summary>
    /// Parses a value: everything up to the end of the line, a comma or a closing bracket. Several pieces on
    /// one line form a concatenation.
    /// </summary>
    private HoconNode? ParseValue(IReadOnlyList<string>? path)
    {
        var first = Current;
        List<HoconNode> parts = [];
        HoconToken? pendingWhitespace = null;
        while (true)
        {
            var token = Current;
            if (token.Kind == HoconTokenKind.Whitespace)
            {
                pendingWhitespace = parts.Count > 0 ? token : null;
                Advance();
                continue;
            }

            if (token.Kind is not (HoconTokenKind.QuotedString or HoconTokenKind.UnquotedText
                or HoconTokenKind.Substitution or HoconTokenKind.OpenBrace or HoconTokenKind.OpenBracket))
            {
                break;
            }

            if (pendingWhitespace is not null)
            {
                parts.Add(new HoconWhitespace(pendingWhitespace.Text, pendingWhitespace.Position));
                pendingWhitespace = null;
            }

            Advance();
            parts.Add(token.Kind switch
            {
                HoconTokenKind.OpenBrace => ParseObjectBody(path, token),
                HoconTokenKind.OpenBracket => ParseArray(token),
                HoconTokenKind.Substitution => MakeSubstitution(token),
                _ => new HoconScalar(token.Text, token.Position),
            });
        }

        if (parts.Count == 0)
        {
            Error(Current.Position, $"expected a value but found {Current.Describe()}");
            return null;
        }

        if (parts.Count == 1)
        {
            // Only a lone unquoted null is the null value; next to other text it is the word "null".
            return first.Kind == HoconTokenKind.UnquotedText && first.Text == "null"
                ? new HoconScalar(null, first.Position)
                : parts[0];
        }

        return Concatenate(parts, first.Position);
    }

    /// <summary>
    /// Joins what can be joined now: text with text, objects with objects, arrays with arrays. Pieces that
    /// involve substitutions wait for resolution.
    /// </summary>
    private HoconNode? Concatenate(List<HoconNode> parts, SourcePosition position)
    {
        if (parts.Any(part => part.NeedsResolving))
        {
            return new HoconConcatenation(parts, position);
        }

        var values = parts.Where(part => part is not HoconWhitespace).ToList();
        if (values.All(value => value is HoconScalar))
        {
            var text = string.Concat(parts.Select(part => part switch
            {
                HoconWhitespace whitespace => whitespace.Text,
                HoconScalar scalar => scalar.Value,
                _ => "",
            }));
            return new HoconScalar(text, position);
        }

        if (values.All(value => value is HoconObject))
        {
            return values.Cast<HoconObject>().Aggregate(HoconMerge.MergeObjects).WithPosition(position);
        }

        if (values.All(value => value is HoconArray))
        {
            return new HoconArray(values.Cast<HoconArray>().SelectMany(array => array.Items).ToList(), position);
        }

        var odd = values.First(value => value.GetType() != values[0].GetType());
        Error(odd.Position, "an object or array cannot be joined with other kinds of value on the same line; separate fields with ',' or a new line");
        return null;
    }

    private HoconSubstitution MakeSubstitution(HoconToken token) => new(
        HoconPaths.Append(_rootPath, token.Path), token.Path, token.IsOptional, token.Text, token.Position);

    private HoconArray ParseArray(HoconToken openBracket)
    {
        List<HoconNode> items = [];
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var token = Current;
            switch (token.Kind)
            {
                case HoconTokenKind.EndOfFile:
                    Error(openBracket.Position, "'[' is never closed: the file ends before its matching ']'");
                    return new HoconArray(items, openBracket.Position);
                case HoconTokenKind.CloseBracket:
                    Advance();
                    return new HoconArray(items, openBracket.Position);
                case HoconTokenKind.CloseBrace:
                    // Likely a missing ']': leave the '}' to the object that owns it.
                    Error(openBracket.Position, $"'[' is never closed: found '}}' at {token.Position.Line}:{token.Position.Column} before its matching ']'");
                    return new HoconArray(items, openBracket.Position);
                case HoconTokenKind.Comma:
                    Error(token.Position, "unexpected ','; an element is expected here (a comma before the first element or two commas in a row)");
                    Advance();
                    continue;
            }

            var item = ParseValue(null);
            if (item is null)
            {
                SkipToEndOfField();
                continue;
            }

            items.Add(item);
            SkipWhitespace();
            token = Current;
            switch (token.Kind)
            {
                case HoconTokenKind.Comma:
                    Advance();
                    break;
                case HoconTokenKind.Newline or HoconTokenKind.CloseBracket or HoconTokenKind.CloseBrace
                    or HoconTokenKind.EndOfFile:
                    break;
                default:
                    Error(token.Position, $"expected ',' or ']' after an array element but found {token.Describe()}");
                    SkipToEndOfField();
                    break;
            }
        }
    }

    /// <summary>
    /// Whether the current token starts an include statement: an unquoted <c>include</c> followed by a quoted
    /// name or a form like <c>required(</c>. Otherwise <c>include</c> is an ordinary key.
    /// </summary>
    private bool IsIncludeStatement()
    {
        if (Current.Kind != HoconTokenKind.UnquotedText || Current.Text != IncludeKeyword)
        {
            return false;
        }

        var next = _index + 1;
        while (_tokens[next].Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline)
        {
            next++;
        }

        return _tokens[next].Kind == HoconTokenKind.QuotedString
            || (_tokens[next].Kind == HoconTokenKind.UnquotedText && _tokens[next].Text.Contains('(', StringComparison.Ordinal));
    }

    /// <summary>
    /// Parses <c>include "f"</c>, <c>include file("f")</c>, <c>include required("f")</c> or
    /// <c>include required(file("f"))</c> and merges the file's fields in here.
    /// </summary>
    private bool ParseInclude(OrderedDictionary<string, HoconNode> fields, IReadOnlyList<string>? path)
    {
        var include = Current;
        Advance();
        SkipWhitespaceAndNewlines();
        var required = false;
        var openParentheses = 0;
        var formStart = Current;
        var form = "";
        while (Current.Kind is HoconTokenKind.UnquotedText or HoconTokenKind.Whitespace)
        {
            // required( file( "x" ) ) may have spaces between its parts.
            form += Current.Kind == HoconTokenKind.UnquotedText ? Current.Text : "";
            Advance();
        }

        var writtenForm = form;
        if (form.StartsWith("required(", StringComparison.Ordinal))
        {
            required = true;
            openParentheses++;
            form = form["required(".Length..];
        }

        if (form == "file(")
        {
            openParentheses++;
            form = "";
        }

        if (form.Length > 0)
        {
            Error(formStart.Position, form is "classpath(" or "url("
                ? $"only files can be included, not {form.TrimEnd('(')} resources"
                : $"unknown include form '{writtenForm}': expected \"name\", file(\"name\"), required(\"name\") or required(file(\"name\"))");
            return false;
        }

        if (Current.Kind != HoconTokenKind.QuotedString)
        {
            Error(Current.Position, $"expected a quoted file name to include but found {Current.Describe()}");
            return false;
        }

        var name = Current;
        Advance();
        while (openParentheses > 0)
        {
            SkipWhitespace();
            if (Current.Kind != HoconTokenKind.UnquotedText || Current.Text.Length > openParentheses
                || Current.Text.Any(c => c != ')'))
            {
                Error(Current.Position, $"expected ')' to close the include but found {Current.Describe()}");
                return false;
            }

            openParentheses -= Current.Text.Length;
            Advance();
        }

        Include(fields, path ?? [], name, required, include.Position);
        return true;
    }

    private void Include(
        OrderedDictionary<string, HoconNode> fields,
        IReadOnlyList<string> path,
        HoconToken name,
        bool required,
        SourcePosition at)
    {
        // Relative names are found next to the including file, never in the working directory.
        var fileName = Path.Combine(Path.GetDirectoryName(_source.FileName) ?? "", name.Text);
        var fullPath = Path.GetFullPath(fileName);
        if (_includeChain.Contains(fullPath, StringComparer.Ordinal))
        {
            Error(at, $"include cycle: \"{name.Text}\" is already being read ({string.Join(" -> ", _includeChain.Append(fullPath))})");
            return;
        }

        if (!File.Exists(fullPath))
        {
            // A plain include of a missing file is silently ignored, as the spec says.
            if (required)
            {
                Error(at, $"required include \"{name.Text}\" was not found (looked for {fullPath})");
            }

            return;
        }

        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Error(at, $"cannot read included file \"{name.Text}\": {exception.Message}");
            return;
        }

        var parser = new HoconParser(new HoconSource(text, fileName), path, [.. _includeChain, fullPath], _errors);
        foreach (var (key, value) in parser.ParseRoot().Fields)
        {
            SetField(fields, key, value);
        }
    }
}
