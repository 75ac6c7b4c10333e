using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using OtelTailSampler.Configuration.Hocon;

namespace OtelTailSampler.Configuration;

/// <summary>
/// Reads typed settings from configuration for options binding. Getters never throw: a bad value is
/// recorded in <see cref="Errors"/> (with the place it was written) and the default is returned, so every
/// mistake in a file can be reported at once. A reader and all sections taken from it share one error list.
/// </summary>
public sealed class SettingsReader
{
    private readonly IConfiguration _root;
    private readonly Func<string, SourcePosition?> _positionOf;
    private readonly List<ConfigurationError> _errors;

    // The section's configuration key ("sampler:exporters:otlp"); empty at the root.
    private readonly string _configKey;

    /// <param name="root">The whole configuration.</param>
    /// <param name="positionOf">Where the value at a configuration key was written, such as <see cref="HoconDocument.PositionOf"/>.</param>
    public SettingsReader(IConfiguration root, Func<string, SourcePosition?> positionOf)
        : this(root, positionOf, [], configKey: "", path: "")
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(positionOf);
    }

    private SettingsReader(
        IConfiguration root, Func<string, SourcePosition?> positionOf, List<ConfigurationError> errors, string configKey, string path)
    {
        _root = root;
        _positionOf = positionOf;
        _errors = errors;
        _configKey = configKey;
        Path = path;
    }

    /// <summary>The dotted path of this section (<c>sampler.exporters.otlp</c>); empty at the root.</summary>
    public string Path { get; }

    /// <summary>Every problem found so far by this reader and every section of it.</summary>
    public IReadOnlyList<ConfigurationError> Errors => _errors;

    /// <summary>The section at a dotted path below this one, such as <c>receivers.otlp.grpc</c>.</summary>
    public SettingsReader Section(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        return new SettingsReader(_root, _positionOf, _errors, ConfigKey(relativePath), DottedPath(relativePath));
    }

    /// <summary>Whether the key has a value or children.</summary>
    public bool Has(string key)
    {
        var section = _root.GetSection(ConfigKey(key));
        return section.Value is not null || section.GetChildren().Any();
    }

    /// <summary>Whether the key has a single value, as opposed to a list or object (or nothing).</summary>
    public bool HasValue(string key) => _root.GetSection(ConfigKey(key)).Value is not null;

    /// <summary>Records a problem with a setting, such as one that contradicts another.</summary>
    public void AddError(string key, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _errors.Add(new ConfigurationError(DottedPath(key), message, PositionOf(ConfigKey(key))));
    }

    public string GetString(string key, string @default) =>
        TryRead(key, out var text) ? text : @default;

    public int GetInt(string key, int @default, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!TryRead(key, out var text))
        {
            return @default;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            AddError(key, $"expected a whole number but found '{text}'");
            return @default;
        }

        return CheckRange(key, value, min, max, min == int.MinValue, max == int.MaxValue) ? value : @default;
    }

    public double GetDouble(string key, double @default, double min = double.MinValue, double max = double.MaxValue)
    {
        if (!TryRead(key, out var text))
        {
            return @default;
        }

        if (!double.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            AddError(key, $"expected a number but found '{text}'");
            return @default;
        }

        return CheckRange(key, value, min, max, min == double.MinValue, max == double.MaxValue) ? value : @default;
    }

    /// <summary>A size in bytes such as <c>512KiB</c> or <c>16MB</c>; a bare number is bytes. Must not be negative.</summary>
    public long GetSize(string key, long @default)
    {
        if (!TryRead(key, out var text))
        {
            return @default;
        }

        if (!HoconSize.TryParse(text, out var bytes))
        {
            AddError(key, $"expected a size in bytes such as 512KiB or 16MB but found '{text}'");
            return @default;
        }

        if (bytes < 0)
        {
            AddError(key, $"a size must not be negative but is '{text}'");
            return @default;
        }

        return bytes;
    }

    /// <summary>A duration such as <c>500ms</c>, <c>30s</c> or <c>5m</c>; a bare number is milliseconds. Must not be negative.</summary>
    public TimeSpan GetDuration(string key, TimeSpan @default)
    {
        if (!TryRead(key, out var text))
        {
            return @default;
        }

        if (!HoconDuration.TryParse(text, out var duration))
        {
            AddError(key, $"expected a duration such as 500ms, 30s or 5m (units ns, us, ms, s, m, h, d) but found '{text}'");
            return @default;
        }

        if (duration < TimeSpan.Zero)
        {
            AddError(key, $"a duration must not be negative but is '{text}'");
            return @default;
        }

        return duration;
    }

    /// <summary><c>true</c>/<c>false</c>, also <c>yes</c>/<c>no</c> and <c>on</c>/<c>off</c> as HOCON recommends.</summary>
    public bool GetBool(string key, bool @default)
    {
        if (!TryRead(key, out var text))
        {
            return @default;
        }

        switch (text.Trim().ToUpperInvariant())
        {
            case "TRUE" or "YES" or "ON":
                return true;
            case "FALSE" or "NO" or "OFF":
                return false;
            default:
                AddError(key, $"expected true or false but found '{text}'");
                return @default;
        }
    }

    /// <summary>
    /// An enum member by name, ignoring case, dashes and underscores, so <c>always-sample</c> reads
    /// <c>AlwaysSample</c>. Numbers are not accepted.
    /// </summary>
    public T GetEnum<T>(string key, T @default)
        where T : struct, Enum
    {
        if (!TryRead(key, out var text))
        {
            return @default;
        }

        var wanted = Normalize(text);
        foreach (var name in Enum.GetNames<T>())
        {
            if (string.Equals(Normalize(name), wanted, StringComparison.OrdinalIgnoreCase))
            {
                return Enum.Parse<T>(name);
            }
        }

        AddError(key, $"expected one of {string.Join(", ", Enum.GetNames<T>().Select(KebabCase))} but found '{text}'");
        return @default;

        static string Normalize(string name) => name.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
    }

    /// <summary>One of the given spellings (matched with the dictionary's comparer), such as <c>http/protobuf</c>.</summary>
    public T GetChoice<T>(string key, T @default, IReadOnlyDictionary<string, T> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (!TryRead(key, out var text))
        {
            return @default;
        }

        if (choices.TryGetValue(text.Trim(), out var choice))
        {
            return choice;
        }

        AddError(key, $"expected one of {string.Join(", ", choices.Keys)} but found '{text}'");
        return @default;
    }

    /// <summary>An object of text values, such as headers; empty when absent.</summary>
    public IReadOnlyDictionary<string, string> GetMap(string key)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var section = _root.GetSection(ConfigKey(key));
        if (section.Value is not null)
        {
            AddError(key, $"expected an object of names and values but found '{section.Value}'");
            return map;
        }

        foreach (var child in section.GetChildren())
        {
            if (child.Value is not null)
            {
                map[child.Key] = child.Value;
            }
            else if (child.GetChildren().Any())
            {
                AddError(JoinKey(key, child.Key), "expected a text value but found an object or list");
            }
        }

        return map;
    }

    /// <summary>A list of text values; empty when absent.</summary>
    public IReadOnlyList<string> GetStringList(string key)
    {
        List<string> items = [];
        foreach (var (element, elementKey) in ListElements(key))
        {
            if (element.Value is not null)
            {
                items.Add(element.Value);
            }
            else if (element.GetChildren().Any())
            {
                AddError(elementKey, "expected a text value but found an object or list");
            }
        }

        return items;
    }

    /// <summary>A list of objects, each read through its own section; empty when absent.</summary>
    public IReadOnlyList<SettingsReader> GetList(string key) =>
        ListElements(key)
            .Select(element => new SettingsReader(
                _root, _positionOf, _errors, element.Section.Path, DottedPath(key) + ElementSuffix(element.Section.Key)))
            .ToList();

    /// <summary>Records an error for every key in this section that is not one of <paramref name="knownKeys"/>, catching typos.</summary>
    public void ReportUnknownKeys(params IEnumerable<string> knownKeys)
    {
        var known = knownKeys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var section = _configKey.Length == 0 ? _root.GetChildren() : _root.GetSection(_configKey).GetChildren();
        foreach (var child in section)
        {
            if (!known.Contains(child.Key))
            {
                AddError(child.Key, $"unknown setting; expected one of {string.Join(", ", known.Order(StringComparer.Ordinal))}");
            }
        }
    }

    private List<(IConfigurationSection Section, string Key)> ListElements(string key)
    {
        var section = _root.GetSection(ConfigKey(key));
        if (section.Value is not null)
        {
            AddError(key, $"expected a list but found '{section.Value}'");
            return [];
        }

        var children = section.GetChildren().ToList();
        var indexed = children
            .Select(child => (Child: child, IsIndex: int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index), Index: index))
            .ToList();
        if (indexed.Any(child => !child.IsIndex))
        {
            AddError(key, "expected a list but found an object");
            return [];
        }

        // The element's key for errors stays relative to this section: "policies.0" reads as policies[0].
        return indexed.OrderBy(child => child.Index).Select(child => (child.Child, JoinKey(key, child.Child.Key))).ToList();
    }

    /// <summary>Reads a text value; false when absent or null, and an error when it is an object or list.</summary>
    private bool TryRead(string key, out string text)
    {
        var section = _root.GetSection(ConfigKey(key));
        text = section.Value ?? "";
        if (section.Value is not null)
        {
            return true;
        }

        if (section.GetChildren().Any())
        {
            AddError(key, "expected a single value but found an object or list");
        }

        return false;
    }

    private bool CheckRange<TNumber>(string key, TNumber value, TNumber min, TNumber max, bool noMin, bool noMax)
        where TNumber : IComparable<TNumber>
    {
        if (value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0)
        {
            return true;
        }

        var bounds = (noMin, noMax) switch
        {
            (true, _) => $"at most {Format(max)}",
            (_, true) => $"at least {Format(min)}",
            _ => $"between {Format(min)} and {Format(max)}",
        };
        AddError(key, $"must be {bounds} but is {Format(value)}");
        return false;

        static string Format(TNumber number) => Convert.ToString(number, CultureInfo.InvariantCulture) ?? "";
    }

    private SourcePosition? PositionOf(string configKey)
    {
        // A missing key has no position of its own; the nearest enclosing object that exists is the next best place.
        for (var key = configKey; key.Length > 0; key = key[..Math.Max(0, key.LastIndexOf(':'))])
        {
            if (_positionOf(key) is { } position)
            {
                return position;
            }
        }

        return null;
    }

    private string ConfigKey(string key)
    {
        var relative = key.Replace('.', ':');
        return _configKey.Length == 0 ? relative : $"{_configKey}:{relative}";
    }

    /// <summary>The dotted path of a key, writing list indexes as [i].</summary>
    private string DottedPath(string key)
    {
        var path = new StringBuilder(Path);
        foreach (var part in key.Split('.'))
        {
            if (part.Length > 0 && part.All(char.IsAsciiDigit))
            {
                path.Append(ElementSuffix(part));
            }
            else
            {
                path.Append(path.Length == 0 ? "" : ".").Append(part);
            }
        }

        return path.ToString();
    }

    private static string ElementSuffix(string index) => $"[{index}]";

    private static string JoinKey(string key, string child) => $"{key}.{child}";

    private static string KebabCase(string name)
    {
        var kebab = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                kebab.Append('-');
            }

            kebab.Append(char.ToLowerInvariant(name[i]));
        }

        return kebab.ToString();
    }
}
