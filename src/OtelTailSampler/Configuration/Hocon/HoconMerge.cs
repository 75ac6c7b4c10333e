namespace OtelTailSampler.Configuration.Hocon;

/// <summary>HOCON's rule for a key given twice: objects merge deeply, anything else replaces.</summary>
internal static class HoconMerge
{
    public static HoconNode Merge(HoconNode earlier, HoconNode later)
    {
        if (later.NeedsResolving || (later is HoconObject && earlier.NeedsResolving))
        {
            // Which rule applies is known only once the substitutions are resolved.
            List<HoconNode> layers = [];
            AddLayers(layers, earlier);
            AddLayers(layers, later);
            return new HoconDelayedMerge(layers, later.Position);
        }

        return earlier is HoconObject earlierObject && later is HoconObject laterObject
            ? MergeObjects(earlierObject, laterObject)
            : later;
    }

    private static void AddLayers(List<HoconNode> layers, HoconNode value)
    {
        if (value is HoconDelayedMerge delayed)
        {
            layers.AddRange(delayed.Layers);
        }
        else
        {
            layers.Add(value);
        }
    }

    public static HoconObject MergeObjects(HoconObject earlier, HoconObject later)
    {
        var fields = new OrderedDictionary<string, HoconNode>(earlier.Fields, StringComparer.Ordinal);
        foreach (var (key, value) in later.Fields)
        {
            fields[key] = fields.TryGetValue(key, out var existing) ? Merge(existing, value) : value;
        }

        return new HoconObject(fields, later.Position);
    }
}
