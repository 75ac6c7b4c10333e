using System.Text;

namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Assembles a path expression (a key, or the inside of a substitution) from its pieces: dots in unquoted
/// pieces separate elements, quoted pieces are taken whole, and whitespace between pieces of one element is
/// kept, so <c>a.b c."d.e"</c> is the path <c>a</c>, <c>b cd.e</c>.
/// </summary>
internal sealed class HoconPathBuilder
{
    private const string EmptyElementProblem =
        "a path may not start or end with '.' or contain '..'; write an empty key as \"\"";

    private readonly List<string> _elements = [];
    private readonly StringBuilder _current = new();
    private bool _currentHasContent;
    private string? _problem;
    private SourcePosition? _problemAt;
    private SourcePosition? _lastPieceAt;

    /// <summary>Whether nothing has been appended yet.</summary>
    public bool IsEmpty { get; private set; } = true;

    public void Append(string piece, bool quoted, string whitespaceBefore, SourcePosition at)
    {
        IsEmpty = false;
        _lastPieceAt = at;
        if (quoted)
        {
            AppendToCurrent(piece, whitespaceBefore);
            _currentHasContent = true;
            return;
        }

        var segments = piece.Split('.');
        if (segments[0].Length > 0)
        {
            AppendToCurrent(segments[0], whitespaceBefore);
            _currentHasContent = true;
        }

        for (var i = 1; i < segments.Length; i++)
        {
            FinishElement(at);
            _current.Append(segments[i]);
            _currentHasContent = segments[i].Length > 0;
        }
    }

    /// <summary>The path, or the first problem found in it and where.</summary>
    public bool TryBuild(out IReadOnlyList<string> path, out string? problem, out SourcePosition? problemAt)
    {
        if (!IsEmpty)
        {
            FinishElement(_lastPieceAt);
        }

        path = _elements;
        problem = _problem;
        problemAt = _problemAt;
        return !IsEmpty && _problem is null;
    }

    private void AppendToCurrent(string text, string whitespaceBefore)
    {
        if (_currentHasContent)
        {
            _current.Append(whitespaceBefore);
        }

        _current.Append(text);
    }

    private void FinishElement(SourcePosition? at)
    {
        if (!_currentHasContent && _problem is null)
        {
            _problem = EmptyElementProblem;
            _problemAt = at;
        }

        _elements.Add(_current.ToString());
        _current.Clear();
        _currentHasContent = false;
    }
}
