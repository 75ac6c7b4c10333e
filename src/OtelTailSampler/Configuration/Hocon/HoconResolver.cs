using System.Text;

namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Replaces substitutions in the merged tree. Values are resolved lazily and only as deep as a lookup
/// needs, so an object may refer to its own fields; a value that is needed while it is still being resolved
/// is a cycle and is reported rather than followed.
/// </summary>
internal sealed class HoconResolver
{
    // Results other than a value: null means "undefined" (an optional substitution found nothing).
    private static readonly SourcePosition Nowhere = new("", 0, 0);
    private static readonly HoconScalar Failed = new(null, Nowhere);
    private static readonly HoconScalar CycleDetected = new(null, Nowhere);

    private readonly HoconObject _root;
    private readonly Func<string, string?> _environment;
    private readonly List<HoconError> _errors;
    private readonly Dictionary<ResolutionKey, HoconNode?> _resolved = [];
    private readonly List<(ResolutionKey Key, IReadOnlyList<string> Path)> _inProgress = [];
    private string _lastCycle = "";

    private HoconResolver(HoconObject root, Func<string, string?> environment, List<HoconError> errors)
    {
        _root = root;
        _environment = environment;
        _errors = errors;
    }

    /// <summary>
    /// The tree with every substitution replaced; fields whose optional substitutions found nothing are
    /// gone. Problems are added to <paramref name="errors"/>.
    /// </summary>
    public static HoconObject Resolve(HoconObject root, Func<string, string?> environment, List<HoconError> errors)
    {
        var resolver = new HoconResolver(root, environment, errors);
        return resolver.ResolveNode(root, [], below: null) as HoconObject
            ?? new HoconObject(new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal), root.Position);
    }

    private static bool IsFailure(HoconNode? node) =>
        ReferenceEquals(node, Failed) || ReferenceEquals(node, CycleDetected);

    /// <summary>
    /// Resolves the value at <paramref name="path"/>. <paramref name="below"/> gives the value the field had
    /// before this definition, which a self-reference such as <c>a = ${a} [x]</c> stands for.
    /// </summary>
    private HoconNode? ResolveNode(HoconNode node, IReadOnlyList<string> path, Func<HoconNode?>? below) => node switch
    {
        HoconScalar or HoconWhitespace => node,
        HoconDelayedMerge delayed => ResolveLayers(delayed, delayed.Layers.Count, path),
        HoconObject obj => Memoized(new ResolutionKey(node, -1), path, () => ResolveObject(obj, path)),
        HoconArray array => Memoized(new ResolutionKey(node, -1), path, () => ResolveArray(array, path)),
        HoconSubstitution substitution =>
            Memoized(new ResolutionKey(node, -1), path, () => ResolveSubstitution(substitution, path, below)),
        HoconConcatenation concatenation =>
            Memoized(new ResolutionKey(node, -1), path, () => ResolveConcatenation(concatenation, path, below)),
        _ => throw new InvalidOperationException($"Unexpected HOCON node {node.GetType().Name}."),
    };

    private HoconNode? Memoized(ResolutionKey key, IReadOnlyList<string> path, Func<HoconNode?> resolve)
    {
        if (_resolved.TryGetValue(key, out var known))
        {
            return known;
        }

        var cycleStart = _inProgress.FindIndex(entry => entry.Key == key);
        if (cycleStart >= 0)
        {
            var steps = _inProgress.Skip(cycleStart).Select(entry => HoconPaths.Render(entry.Path))
                .Append(HoconPaths.Render(path));
            _lastCycle = string.Join(" -> ", steps.Where((step, i) => i == 0 || step != steps.ElementAt(i - 1)));
            return CycleDetected;
        }

        _inProgress.Add((key, path));
        HoconNode? result;
        try
        {
            result = resolve();
        }
        finally
        {
            _inProgress.RemoveAt(_inProgress.Count - 1);
        }

        _resolved[key] = result;
        return result;
    }

    private HoconObject ResolveObject(HoconObject obj, IReadOnlyList<string> path)
    {
        var fields = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal);
        var changed = false;
        foreach (var (key, value) in obj.Fields)
        {
            var resolved = ResolveNode(value, HoconPaths.Append(path, key), below: null);
            if (resolved is null || IsFailure(resolved))
            {
                changed = true;
                continue;
            }

            changed |= !ReferenceEquals(resolved, value);
            fields[key] = resolved;
        }

        return changed ? new HoconObject(fields, obj.Position) : obj;
    }

    private HoconArray ResolveArray(HoconArray array, IReadOnlyList<string> path)
    {
        List<HoconNode> items = [];
        var changed = false;
        for (var i = 0; i < array.Items.Count; i++)
        {
            var item = array.Items[i];
            var resolved = ResolveNode(item, HoconPaths.Append(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), below: null);
            if (resolved is null || IsFailure(resolved))
            {
                changed = true;
                continue;
            }

            changed |= !ReferenceEquals(resolved, item);
            items.Add(resolved);
        }

        return changed ? new HoconArray(items, array.Position) : array;
    }

    /// <summary>
    /// The value of the first <paramref name="count"/> definitions of a field: the last one that is
    /// defined wins, merged over the ones before it while they are objects.
    /// </summary>
    private HoconNode? ResolveLayers(HoconDelayedMerge delayed, int count, IReadOnlyList<string> path) =>
        Memoized(new ResolutionKey(delayed, count), path, () =>
        {
            HoconObject? merged = null;
            for (var i = count - 1; i >= 0; i--)
            {
                var layersBelow = i;
                Func<HoconNode?>? below = layersBelow > 0 ? () => ResolveLayers(delayed, layersBelow, path) : null;
                var value = ResolveNode(delayed.Layers[i], path, below);
                if (IsFailure(value))
                {
                    return Failed;
                }

                if (value is null)
                {
                    // An optional substitution that found nothing leaves the earlier value in place.
                    continue;
                }

                if (value is not HoconObject obj)
                {
                    // A non-object hides everything before it; objects above it still win.
                    return merged ?? value;
                }

                merged = merged is null ? obj : HoconMerge.MergeObjects(obj, merged);
            }

            return merged;
        });

    private HoconNode? ResolveSubstitution(HoconSubstitution substitution, IReadOnlyList<string> path, Func<HoconNode?>? below)
    {
        HoconNode? found;
        if (HoconPaths.AreEqual(substitution.Path, path))
        {
            // A field that refers to itself means its earlier value, not a cycle.
            found = below?.Invoke();
        }
        else
        {
            found = Lookup(substitution.Path);
            if (found is null && !IsFailure(found) && !HoconPaths.AreEqual(substitution.WrittenPath, substitution.Path)
                && substitution.WrittenPath.Count > 0)
            {
                // In an included file, a path not found next to the include point is tried from the root.
                found = Lookup(substitution.WrittenPath);
            }
        }

        if (ReferenceEquals(found, CycleDetected))
        {
            _errors.Add(new HoconError(substitution.Position, $"substitution {substitution.Text} is part of a cycle: {_lastCycle}"));
            return Failed;
        }

        if (found is not null)
        {
            return IsFailure(found) ? Failed : found.WithPosition(substitution.Position);
        }

        if (substitution.WrittenPath.Count > 0)
        {
            // The spec treats an empty environment variable as unset.
            var fromEnvironment = _environment(string.Join('.', substitution.WrittenPath));
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return new HoconScalar(fromEnvironment, substitution.Position);
            }
        }

        if (substitution.IsOptional)
        {
            return null;
        }

        _errors.Add(new HoconError(substitution.Position,
            $"cannot resolve substitution {substitution.Text}: '{HoconPaths.Render(substitution.WrittenPath)}' is set neither in the configuration nor in the environment; use ${{?...}} if it may be absent"));
        return Failed;
    }

    /// <summary>
    /// Finds the value at an absolute path, resolving only what lies on the way. Null when nothing is
    /// there (or what is there is an optional substitution that found nothing).
    /// </summary>
    private HoconNode? Lookup(IReadOnlyList<string> path)
    {
        HoconNode current = _root;
        for (var i = 0; i < path.Count; i++)
        {
            if (current is not HoconObject obj)
            {
                var resolved = ResolveNode(current, path.Take(i).ToList(), below: null);
                if (IsFailure(resolved))
                {
                    return resolved;
                }

                if (resolved is not HoconObject resolvedObject)
                {
                    return null;
                }

                obj = resolvedObject;
            }

            if (!obj.Fields.TryGetValue(path[i], out var next))
            {
                return null;
            }

            current = next;
        }

        return ResolveNode(current, path, below: null);
    }

    private HoconNode? ResolveConcatenation(HoconConcatenation concatenation, IReadOnlyList<string> path, Func<HoconNode?>? below)
    {
        var parts = new List<HoconNode?>(concatenation.Parts.Count);
        foreach (var part in concatenation.Parts)
        {
            var value = ResolveNode(part, path, below);
            if (IsFailure(value))
            {
                return Failed;
            }

            parts.Add(value);
        }

        var values = parts.Where(part => part is not null and not HoconWhitespace).Select(part => part!).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count == 1)
        {
            // Only one part is defined (the others were optional and absent): it keeps its type.
            return values[0].WithPosition(concatenation.Position);
        }

        if (values.All(value => value is HoconObject))
        {
            return values.Cast<HoconObject>().Aggregate(HoconMerge.MergeObjects).WithPosition(concatenation.Position);
        }

        if (values.All(value => value is HoconArray))
        {
            return new HoconArray(values.Cast<HoconArray>().SelectMany(array => array.Items).ToList(), concatenation.Position);
        }

        if (values.Any(value => value is HoconObject or HoconArray))
        {
            var kind = values.First(value => value is HoconObject or HoconArray) is HoconObject ? "an object" : "an array";
            _errors.Add(new HoconError(concatenation.Position, $"cannot join {kind} with text or a different kind of value"));
            return Failed;
        }

        // Whitespace counts only between defined parts; a substituted null reads as an empty string.
        var first = parts.FindIndex(part => part is HoconScalar);
        var last = parts.FindLastIndex(part => part is HoconScalar);
        var text = new StringBuilder();
        for (var i = first; i <= last; i++)
        {
            text.Append(parts[i] switch
            {
                HoconWhitespace whitespace => whitespace.Text,
                HoconScalar scalar => scalar.Value,
                _ => "",
            });
        }

        return new HoconScalar(text.ToString(), concatenation.Position);
    }

    /// <summary>
    /// A value in the tree; layered values are also keyed by how many layers are considered, since a
    /// self-reference resolves the layers below its own.
    /// </summary>
    private readonly record struct ResolutionKey(HoconNode Node, int LayerCount);
}
