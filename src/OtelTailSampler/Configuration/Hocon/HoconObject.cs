namespace OtelTailSampler.Configuration.Hocon;

/// <summary>An object; fields keep the order they were first written in.</summary>
internal sealed class HoconObject(OrderedDictionary<string, HoconNode> fields, SourcePosition position)
    : HoconNode(position)
{
    /// <summary>The fields; never changed once the object is built.</summary>
    public IReadOnlyDictionary<string, HoconNode> Fields => fields;

    public override HoconNode WithPosition(SourcePosition position) => new HoconObject(fields, position);
}
