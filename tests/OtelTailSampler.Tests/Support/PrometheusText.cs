using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OtelTailSampler.Tests.Support;

/// <summary>
/// A strict reader of the Prometheus text exposition format (version 0.0.4), written from the format's description
/// so that it shares nothing with the exporter it checks. Every line must be a <c># HELP</c>, a <c># TYPE</c>, a
/// sample, or a final <c># EOF</c>; anything else throws <see cref="FormatException"/> naming the line. One check is
/// stricter than the format: a sample must belong to the family of the <c># TYPE</c> line above it, as the
/// OpenTelemetry exporter writes them (the format also allows untyped samples).
/// </summary>
public sealed partial class PrometheusText
{
    private static readonly HashSet<string> MetricTypes = ["counter", "gauge", "histogram", "summary", "untyped"];

    private readonly List<PrometheusSample> _samples = [];
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _help = new(StringComparer.Ordinal);

    private PrometheusText()
    {
    }

    public IReadOnlyList<PrometheusSample> Samples => _samples;

    /// <summary>Each family's type, by family name.</summary>
    public IReadOnlyDictionary<string, string> Types => _types;

    /// <summary>Each family's help text, unescaped, by family name.</summary>
    public IReadOnlyDictionary<string, string> Help => _help;

    public static PrometheusText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("The exposition must end with a line feed.");
        }

        var result = new PrometheusText();
        var lines = text.Length == 0 ? [] : text[..^1].Split('\n');
        string? family = null;
        var series = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var where = $"line {i + 1} '{line}'";
            if (line == "# EOF")
            {
                if (i != lines.Length - 1)
                {
                    throw new FormatException($"{where}: # EOF must be the last line.");
                }
            }
            else if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var match = HelpLine().Match(line);
                if (!match.Success || !result._help.TryAdd(match.Groups["name"].Value, Unescape(match.Groups["text"].Value, where, quotes: false)))
                {
                    throw new FormatException($"{where}: not a HELP line, or a second HELP for the family.");
                }
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var match = TypeLine().Match(line);
                if (!match.Success || !MetricTypes.Contains(match.Groups["type"].Value))
                {
                    throw new FormatException($"{where}: not a TYPE line with one of {string.Join(", ", MetricTypes)}.");
                }

                family = match.Groups["name"].Value;
                if (!result._types.TryAdd(family, match.Groups["type"].Value))
                {
                    throw new FormatException($"{where}: the family is typed twice.");
                }
            }
            else
            {
                var sample = ParseSample(line, where);
                if (family is null || !BelongsTo(sample, family, result._types[family]))
                {
                    throw new FormatException($"{where}: the sample is not of the family typed above it ({family ?? "none"}).");
                }

                var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
                if (!series.Add(key))
                {
                    throw new FormatException($"{where}: the series {key} appears twice.");
                }

                result._samples.Add(sample);
            }
        }

        return result;
    }

    /// <summary>
    /// The sum of the samples named <paramref name="name"/> that carry every label given as "key=value"
    /// (other labels may differ); 0 when there are none, as a counter not yet incremented is not exposed.
    /// </summary>
    public double Value(string name, params string[] labels)
    {
        var wanted = labels.Select(l => l.Split('=', 2)).Select(p => (Key: p[0], Value: p[1])).ToList();
        return _samples
            .Where(s => s.Name == name && wanted.All(w => s.Labels.TryGetValue(w.Key, out var v) && v == w.Value))
            .Sum(s => s.Value);
    }

    private static bool BelongsTo(PrometheusSample sample, string family, string type) => type switch
    {
        "histogram" => (sample.Name == family + "_bucket" && sample.Labels.ContainsKey("le")) || sample.Name == family + "_sum" || sample.Name == family + "_count",
        "summary" => sample.Name == family || sample.Name == family + "_sum" || sample.Name == family + "_count",
        _ => sample.Name == family,
    };

    // name{label="value",...} value [timestamp], with single spaces.
    private static PrometheusSample ParseSample(string line, string where)
    {
        var name = MetricName().Match(line);
        if (!name.Success)
        {
            throw new FormatException($"{where}: a sample starts with a metric name.");
        }

        var position = name.Length;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (position < line.Length && line[position] != '}')
            {
                var label = LabelName().Match(line, position);
                if (!label.Success || label.Index != position)
                {
                    throw new FormatException($"{where}: expected a label name at column {position + 1}.");
                }

                position += label.Length;
                if (!line.AsSpan(position).StartsWith("=\""))
                {
                    throw new FormatException($"{where}: expected =\" after label {label.Value}.");
                }

                position += 2;
                var start = position;
                while (position < line.Length && line[position] != '"')
                {
                    position += line[position] == '\\' ? 2 : 1;
                }

                if (position >= line.Length)
                {
                    throw new FormatException($"{where}: unterminated value of label {label.Value}.");
                }

                if (!labels.TryAdd(label.Value, Unescape(line[start..position], where, quotes: true)))
                {
                    throw new FormatException($"{where}: label {label.Value} appears twice.");
                }

                position++;
                if (position < line.Length && line[position] == ',')
                {
                    position++;
                }
                else if (position >= line.Length || line[position] != '}')
                {
                    throw new FormatException($"{where}: expected , or }} after label {label.Value}.");
                }
            }

            if (position >= line.Length)
            {
                throw new FormatException($"{where}: unterminated label set.");
            }

            position++;
        }

        var rest = line[position..].Split(' ');
        if (rest.Length is < 2 or > 3 || rest[0].Length != 0)
        {
            throw new FormatException($"{where}: expected one space, a value and an optional timestamp after the name and labels.");
        }

        long? timestamp = null;
        if (rest.Length == 3)
        {
            timestamp = Timestamp().IsMatch(rest[2]) ? long.Parse(rest[2], CultureInfo.InvariantCulture) : throw new FormatException($"{where}: '{rest[2]}' is not a timestamp in milliseconds.");
        }

        return new PrometheusSample(name.Value, labels, ParseValue(rest[1], where), timestamp);
    }

    private static double ParseValue(string text, string where) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when Number().IsMatch(text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"{where}: '{text}' is not a sample value."),
    };

    // Label values escape \, " and line feed; help texts escape \ and line feed. Nothing else may follow a backslash.
    private static string Unescape(string text, string where, bool quotes)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                if (quotes && text[i] == '"')
                {
                    throw new FormatException($"{where}: unescaped quote in a label value.");
                }

                builder.Append(text[i]);
                continue;
            }

            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            builder.Append(next switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when quotes => '"',
                _ => throw new FormatException($"{where}: invalid escape \\{next}."),
            });
            i++;
        }

        return builder.ToString();
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricName();

    [GeneratedRegex("[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelName();

    [GeneratedRegex("^# HELP (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<text>.*)$")]
    private static partial Regex HelpLine();

    [GeneratedRegex("^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>[a-z]+)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")]
    private static partial Regex Number();

    [GeneratedRegex(@"^-?\d+$")]
    private static partial Regex Timestamp();
}
