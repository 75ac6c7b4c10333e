namespace OtelTailSampler.Configuration;

/// <summary>
/// A setting that could not be used: its dotted path (<c>sampler.exporters.otlp.timeout</c>), what is wrong,
/// and where it was written when that is known.
/// </summary>
public sealed record ConfigurationError(string Path, string Message, SourcePosition? Position)
{
    /// <summary>
    /// Formats as <c>file:line:column: path: message</c>, or <c>path: message</c> without a position;
    /// syntax errors, which belong to no setting, leave the path out.
    /// </summary>
    public override string ToString()
    {
        var subject = Path.Length == 0 ? Message : $"{Path}: {Message}";
        return Position is null ? subject : $"{Position}: {subject}";
    }
}
