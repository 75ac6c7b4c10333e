namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Successive values of one field where a later one needs resolving, so whether it replaces or merges with
/// the earlier ones is known only after substitution. The earlier layers also give self-references such as
/// <c>path = ${path}":/more"</c> and <c>+=</c> their previous value, and stand in when an optional
/// substitution finds nothing.
/// </summary>
internal sealed class HoconDelayedMerge(IReadOnlyList<HoconNode> layers, SourcePosition position)
    : HoconNode(position)
{
    /// <summary>The values in the order written; the last one wins or merges over the others.</summary>
    public IReadOnlyList<HoconNode> Layers { get; } = layers;

    public override bool NeedsResolving => true;

    public override HoconNode WithPosition(SourcePosition position) => new HoconDelayedMerge(Layers, position);
}
