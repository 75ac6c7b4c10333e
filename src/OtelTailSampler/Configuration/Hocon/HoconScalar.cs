namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// A string, number or boolean, kept as the text written (configuration values are strings in the end);
/// <see cref="Value"/> is null for HOCON's <c>null</c>.
/// </summary>
internal sealed class HoconScalar(string? value, SourcePosition position) : HoconNode(position)
{
    public string? Value { get; } = value;

    public override HoconNode WithPosition(SourcePosition position) => new HoconScalar(Value, position);
}
