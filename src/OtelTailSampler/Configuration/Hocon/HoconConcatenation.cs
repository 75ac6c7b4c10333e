namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Several values written side by side on one line, at least one of them a substitution (concatenations of
/// literal text are joined while parsing). Resolves to a string, or to a merged object or joined array when
/// every part is one.
/// </summary>
internal sealed class HoconConcatenation(IReadOnlyList<HoconNode> parts, SourcePosition position)
    : HoconNode(position)
{
    public IReadOnlyList<HoconNode> Parts { get; } = parts;

    public override bool NeedsResolving => true;

    public override HoconNode WithPosition(SourcePosition position) => new HoconConcatenation(Parts, position);
}
