namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Whitespace between the parts of a value concatenation: kept when the parts join into a string, ignored
/// when they merge into an object or array.
/// </summary>
internal sealed class HoconWhitespace(string text, SourcePosition position) : HoconNode(position)
{
    public string Text { get; } = text;

    public override HoconNode WithPosition(SourcePosition position) => new HoconWhitespace(Text, position);
}
