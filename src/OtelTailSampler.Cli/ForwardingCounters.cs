using System.Globalization;
using System.Text.RegularExpressions;

namespace OtelTailSampler.Cli;

/// <summary>
/// A node's per-link forwarding counters as its /metrics serves them: spans and bytes sent to each peer (host:port of
/// its Akka.Remote endpoint), from otelsampler_cluster_forwarded_spans_total and _bytes_total.
/// </summary>
internal static partial class ForwardingCounters
{
    public const string SpansFamily = "otelsampler_cluster_forwarded_spans_total";

    public const string BytesFamily = "otelsampler_cluster_forwarded_bytes_total";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Spans and bytes forwarded so far, by peer.</summary>
    public static async Task<Dictionary<string, (double Spans, double Bytes)>> ReadAsync(Uri admin, CancellationToken cancellationToken)
    {
        var text = await Http.GetStringAsync(new Uri(admin, "/metrics"), cancellationToken);
        return Parse(text);
    }

    public static Dictionary<string, (double Spans, double Bytes)> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var links = new Dictionary<string, (double Spans, double Bytes)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var match = Sample().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var peer = match.Groups["peer"].Value;
            var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            var (spans, bytes) = links.GetValueOrDefault(peer);
            links[peer] = match.Groups["family"].Value == SpansFamily ? (spans + value, bytes) : (spans, bytes + value);
        }

        return links;
    }

    [GeneratedRegex("""^(?<family>otelsampler_cluster_forwarded_(spans|bytes)_total)\{(?:[^}]*,)?peer="(?<peer>[^"]*)"[^}]*\} (?<value>[0-9.eE+-]+)""")]
    private static partial Regex Sample();
}
