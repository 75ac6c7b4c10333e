namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// <c>${path}</c> or <c>${?path}</c>. In an included file the path is made relative to where the file was
/// included, and the path as written is kept as a fallback (and as the environment variable name).
/// </summary>
internal sealed class HoconSubstitution(
    IReadOnlyList<string> path,
    IReadOnlyList<string> writtenPath,
    bool isOptional,
    string text,
    SourcePosition position) : HoconNode(position)
{
    /// <summary>The absolute path looked up first.</summary>
    public IReadOnlyList<string> Path { get; } = path;

    /// <summary>The path as written in its file: looked up second, and named in the environment.</summary>
    public IReadOnlyList<string> WrittenPath { get; } = writtenPath;

    public bool IsOptional { get; } = isOptional;

    /// <summary>The substitution as written, for messages.</summary>
    public string Text { get; } = text;

    public override bool NeedsResolving => true;

    public override HoconNode WithPosition(SourcePosition position) =>
        new HoconSubstitution(Path, WrittenPath, IsOptional, Text, position);
}
