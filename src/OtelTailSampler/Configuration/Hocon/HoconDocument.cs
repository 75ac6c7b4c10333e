using System.Globalization;

namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// HOCON layers parsed, merged and resolved, flattened to Microsoft.Extensions.Configuration keys
/// (<c>sampler:sampling:policies:0:name</c>) with the place each value was written.
/// </summary>
public sealed class HoconDocument
{
    private readonly Dictionary<string, SourcePosition> _positions;

    private HoconDocument(Dictionary<string, string?> values, Dictionary<string, SourcePosition> positions)
    {
        Values = values;
        _positions = positions;
    }

    /// <summary>
    /// Every value by configuration key, keys as written in HOCON and matched ignoring case as
    /// configuration does; HOCON's <c>null</c> is a null value. Empty objects and arrays have no entry.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Values { get; }

    /// <summary>
    /// Loads layers in order: a later layer overrides an earlier one, objects merge deeply and arrays are
    /// replaced whole. Substitutions are resolved after merging, so a layer may refer to another's values;
    /// a path not in the configuration is looked up with <paramref name="environment"/>.
    /// </summary>
    /// <exception cref="HoconException">The input is malformed or a substitution cannot be resolved.</exception>
    public static HoconDocument Load(IReadOnlyList<HoconSource> layers, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(environment);

        List<HoconError> errors = [];
        HoconObject? merged = null;
        foreach (var layer in layers)
        {
            var root = HoconParser.Parse(layer, errors);
            merged = merged is null ? root : HoconMerge.MergeObjects(merged, root);
        }

        // Resolving a broken tree would mostly repeat the same problems in other words.
        ThrowIfAny(errors);
        merged ??= new HoconObject(new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal), new SourcePosition("", 1, 1));
        var resolved = HoconResolver.Resolve(merged, environment, errors);
        ThrowIfAny(errors);

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var positions = new Dictionary<string, SourcePosition>(StringComparer.OrdinalIgnoreCase);
        Flatten(resolved, "", values, positions);
        return new HoconDocument(values, positions);
    }

    /// <summary>Loads a single text, with substitutions looked up in <paramref name="environment"/> if given.</summary>
    public static HoconDocument Parse(string text, string fileName = "<string>", Func<string, string?>? environment = null) =>
        Load([new HoconSource(text, fileName)], environment ?? (_ => null));

    /// <summary>Where the value (or object, or array) at a configuration key was written, if it exists.</summary>
    public SourcePosition? PositionOf(string configKey) =>
        _positions.TryGetValue(configKey, out var position) ? position : null;

    private static void ThrowIfAny(List<HoconError> errors)
    {
        if (errors.Count == 0)
        {
            return;
        }

        // Report in reading order: by file (as first met), then by position, without repeats.
        var fileOrder = errors.Select(error => error.File).Distinct().ToList();
        throw new HoconException(errors.Distinct()
            .OrderBy(error => fileOrder.IndexOf(error.File))
            .ThenBy(error => error.Line)
            .ThenBy(error => error.Column)
            .ToList());
    }

    private static void Flatten(
        HoconNode node, string key, Dictionary<string, string?> values, Dictionary<string, SourcePosition> positions)
    {
        switch (node)
        {
            case HoconObject obj:
                foreach (var (name, value) in obj.Fields)
                {
                    Flatten(value, key.Length == 0 ? name : $"{key}:{name}", values, positions);
                }

                break;
            case HoconArray array:
                for (var i = 0; i < array.Items.Count; i++)
                {
                    Flatten(array.Items[i], $"{key}:{i.ToString(CultureInfo.InvariantCulture)}", values, positions);
                }

                break;
            case HoconScalar scalar:
                values[key] = scalar.Value;
                break;
        }

        if (key.Length > 0)
        {
            positions[key] = node.Position;
        }
    }
}
