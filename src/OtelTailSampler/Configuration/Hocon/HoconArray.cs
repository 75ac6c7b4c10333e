namespace OtelTailSampler.Configuration.Hocon;

/// <summary>An array.</summary>
internal sealed class HoconArray(IReadOnlyList<HoconNode> items, SourcePosition position) : HoconNode(position)
{
    public IReadOnlyList<HoconNode> Items { get; } = items;

    public override HoconNode WithPosition(SourcePosition position) => new HoconArray(Items, position);
}
