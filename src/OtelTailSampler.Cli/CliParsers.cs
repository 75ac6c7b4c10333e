using System.CommandLine.Parsing;
using OtelTailSampler.Configuration.Hocon;
using OtelTailSampler.LoadGen;

namespace OtelTailSampler.Cli;

/// <summary>Parsers for option values shared by the load and benchmark commands.</summary>
internal static class CliParsers
{
    /// <summary>The option's value when given, otherwise <paramref name="fallback"/> (which help then shows as written in the description).</summary>
    public static T ValueOr<T>(this System.CommandLine.ParseResult parse, System.CommandLine.Option<T> option, T fallback) =>
        parse.GetResult(option) is null ? fallback : parse.GetValue(option)!;

    /// <summary>A duration as the configuration writes them: <c>500ms</c>, <c>30s</c>, <c>2m</c>.</summary>
    public static TimeSpan Duration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (HoconDuration.TryParse(text, out var duration) && duration >= TimeSpan.Zero)
        {
            return duration;
        }

        result.AddError($"'{text}' is not a duration (e.g. 500ms, 30s, 2m).");
        return TimeSpan.Zero;
    }

    public static LoadGenProtocol Protocol(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        switch (text.ToLowerInvariant())
        {
            case "grpc":
                return LoadGenProtocol.Grpc;
            case "http" or "http/protobuf":
                return LoadGenProtocol.Http;
            default:
                result.AddError($"'{text}' is not a protocol: use grpc or http.");
                return LoadGenProtocol.Grpc;
        }
    }

    /// <summary>A comma-separated list of http:// or https:// URLs.</summary>
    public static IReadOnlyList<Uri> Endpoints(ArgumentResult result)
    {
        var endpoints = new List<Uri>();
        foreach (var token in result.Tokens)
        {
            foreach (var text in token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                {
                    endpoints.Add(uri);
                }
                else
                {
                    result.AddError($"'{text}' is not an http:// or https:// URL.");
                }
            }
        }

        if (endpoints.Count == 0 && result.Tokens.Count > 0)
        {
            result.AddError("At least one endpoint URL is needed.");
        }

        return endpoints;
    }

    /// <summary>A number within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Func<ArgumentResult, double> Number(double min, double max) => result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
        {
            return value;
        }

        result.AddError($"'{text}' is not a number from {min} to {max}.");
        return min;
    };
}
