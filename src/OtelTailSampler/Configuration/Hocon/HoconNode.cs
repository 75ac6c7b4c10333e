namespace OtelTailSampler.Configuration.Hocon;

/// <summary>A value in the HOCON tree, remembering where it was written.</summary>
internal abstract class HoconNode(SourcePosition position)
{
    public SourcePosition Position { get; } = position;

    /// <summary>Whether the value still depends on substitutions and must be resolved before use.</summary>
    public virtual bool NeedsResolving => false;

    /// <summary>The same value, attributed to another place (where a substitution copied it to).</summary>
    public abstract HoconNode WithPosition(SourcePosition position);
}
