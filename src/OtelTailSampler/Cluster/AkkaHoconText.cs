using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace OtelTailSampler.Cluster;

/// <summary>
/// Writes the `akka { }` part of the node's configuration back as HOCON for the actor system. Values are
/// written as quoted strings, which Akka's HOCON reads as numbers, durations and booleans where it asks for them;
/// sections whose keys are 0, 1, 2 … are lists, as the configuration reader makes them.
/// </summary>
public static class AkkaHoconText
{
    public static string Render(IConfigurationSection akka)
    {
        ArgumentNullException.ThrowIfNull(akka);
        if (!akka.GetChildren().Any())
        {
            return "";
        }

        var text = new StringBuilder("akka ");
        Write(akka, text);
        return text.AppendLine().ToString();
    }

    private static void Write(IConfigurationSection section, StringBuilder text)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            Quote(section.Value ?? "", text);
            return;
        }

        var isList = children.Select((child, index) => child.Key == index.ToString(CultureInfo.InvariantCulture)).All(matches => matches);
        text.Append(isList ? "[ " : "{ ");
        foreach (var child in isList ? children : [.. children.OrderBy(child => child.Key, StringComparer.Ordinal)])
        {
            if (!isList)
            {
                Quote(child.Key, text);
                text.Append(" = ");
            }

            Write(child, text);
            text.Append(isList ? ", " : "\n");
        }

        text.Append(isList ? "]" : "}");
    }

    /// <summary>A value as a quoted HOCON string.</summary>
    internal static string Quoted(string value)
    {
        var text = new StringBuilder(value.Length + 2);
        Quote(value, text);
        return text.ToString();
    }

    private static void Quote(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                _ when char.IsControl(c) => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }

        text.Append('"');
    }
}
