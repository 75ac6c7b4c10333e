namespace OtelTailSampler.Configuration.Hocon;

/// <summary>One problem found while reading HOCON, at a 1-based line and column of a file.</summary>
public sealed record HoconError(string File, int Line, int Column, string Message)
{
    internal HoconError(SourcePosition position, string message)
        : this(position.File, position.Line, position.Column, message)
    {
    }

    /// <summary>The position of the problem.</summary>
    public SourcePosition Position => new(File, Line, Column);

    /// <summary>Formats as <c>file:line:column: message</c>.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
