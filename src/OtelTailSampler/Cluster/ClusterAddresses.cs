using System.Globalization;
using System.Net;
using OtelTailSampler.Configuration;

namespace OtelTailSampler.Cluster;

/// <summary>The addresses a node binds and advertises, derived once from <see cref="ClusterOptions"/>.</summary>
public sealed record ClusterAddresses(string BindHost, int Port, string PublicHost, IReadOnlyList<string> SeedNodes)
{
    /// <summary>The actor system's name; every member must use the same.</summary>
    public const string SystemName = "otel-sampler";

    public static ClusterAddresses From(ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!EndpointAddress.TryParse(options.Endpoint, out var endpoint))
        {
            throw new ArgumentException($"sampler.cluster.endpoint: '{options.Endpoint}' is not a listen address such as 0.0.0.0:4319.", nameof(options));
        }

        var bindHost = endpoint.Address.ToString();
        var publicHost = options.PublicHostname.Length > 0
            ? options.PublicHostname
            : endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any) ? Dns.GetHostName() : bindHost;
        return new ClusterAddresses(bindHost, endpoint.Port, publicHost, [.. options.SeedNodes.Select(SeedAddress)]);
    }

    /// <summary>
    /// "host:port" as Akka's seed address; a seed already written as an Akka address (it has "://", such as
    /// akka.trttl.tcp://otel-sampler@host:port when a transport adapter is applied) is passed through unchanged.
    /// </summary>
    public static string SeedAddress(string seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var trimmed = seed.Trim();
        return IsAkkaAddress(trimmed) ? trimmed : string.Create(CultureInfo.InvariantCulture, $"akka.tcp://{SystemName}@{trimmed}");
    }

    /// <summary>Whether a seed is written as a full Akka address, protocol://system@host:port, rather than host:port.</summary>
    public static bool IsAkkaAddress(string text) => text.Contains("://", StringComparison.Ordinal);

    /// <summary>Whether a seed is host:port, or a full Akka address of this cluster's actor system with host and port.</summary>
    public static bool IsSeed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsAkkaAddress(text))
        {
            return IsHostAndPort(text);
        }

        return Akka.Actor.Address.TryParse(text, out var address)
            && address.Protocol.StartsWith("akka.", StringComparison.Ordinal)
            && address.System == SystemName && address.Host is { Length: > 0 } && address.Port is > 0 and <= IPEndPoint.MaxPort;
    }

    /// <summary>Whether text is host:port with a port from 1 to 65535.</summary>
    public static bool IsHostAndPort(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= IPEndPoint.MaxPort;
    }
}
