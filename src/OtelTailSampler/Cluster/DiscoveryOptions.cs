using System.Globalization;
using OtelTailSampler.Configuration;

namespace OtelTailSampler.Cluster;

/// <summary>
/// sampler.cluster.discovery: membership through Akka's Cluster Bootstrap. Each node serves a contact point on
/// <see cref="ManagementEndpoint"/>; Bootstrap finds its peers' contact points through discovery, probes them, and
/// either joins the cluster they report or, once enough have answered and none is in a cluster, has the lowest of
/// them form it.
/// </summary>
public sealed record DiscoveryOptions
{
    private static readonly Dictionary<string, DiscoveryMethod> Methods = new(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = DiscoveryMethod.None,
        ["config"] = DiscoveryMethod.Config,
        ["kubernetes-api"] = DiscoveryMethod.KubernetesApi,
    };

    public DiscoveryMethod Method { get; init; } = DiscoveryMethod.None;

    /// <summary>Where this node serves its contact point (GET /bootstrap/seed-nodes) to its peers; Akka's management port.</summary>
    public string ManagementEndpoint { get; init; } = "0.0.0.0:8558";

    /// <summary>The name contact points are looked up by: the service's key in config discovery, {0} in the pod label selector.</summary>
    public string ServiceName { get; init; } = "otel-sampler";

    /// <summary>Contact points that must have answered before the lowest of them forms a new cluster (Akka's required-contact-point-nr).</summary>
    public int RequiredContactPointNr { get; init; } = 2;

    /// <summary>For <see cref="DiscoveryMethod.Config"/>: every node's contact point as host:port, this node's own included.</summary>
    public IReadOnlyList<string> ContactPoints { get; init; } = [];

    /// <summary>For <see cref="DiscoveryMethod.KubernetesApi"/>: the label selector of the sampler's pods; {0} stands for the service name.</summary>
    public string PodLabelSelector { get; init; } = "app=otel-sampler";

    /// <summary>For <see cref="DiscoveryMethod.KubernetesApi"/>: the pods' namespace; empty: the pod's own (from its service account).</summary>
    public string PodNamespace { get; init; } = "";

    /// <summary>The method as it is written in the configuration: none, config, kubernetes-api.</summary>
    public static string NameOf(DiscoveryMethod method) => Methods.First(pair => pair.Value == method).Key;

    /// <summary>Reads sampler.cluster.discovery; mistakes go to the reader's errors and leave defaults.</summary>
    public static DiscoveryOptions Read(SettingsReader discovery)
    {
        ArgumentNullException.ThrowIfNull(discovery);
        discovery.ReportUnknownKeys("method", "management-endpoint", "service-name", "required-contact-point-nr", "config", "kubernetes-api");
        var config = discovery.Section("config");
        config.ReportUnknownKeys("contact-points");
        var kubernetes = discovery.Section("kubernetes-api");
        kubernetes.ReportUnknownKeys("pod-label-selector", "pod-namespace");

        var defaults = new DiscoveryOptions();
        var method = discovery.GetChoice("method", defaults.Method, Methods);
        var managementEndpoint = discovery.GetString("management-endpoint", defaults.ManagementEndpoint).Trim();
        if (!EndpointAddress.TryParse(managementEndpoint, out _))
        {
            discovery.AddError("management-endpoint", $"'{managementEndpoint}' is not a listen address such as 0.0.0.0:8558");
            managementEndpoint = defaults.ManagementEndpoint;
        }

        var serviceName = discovery.GetString("service-name", defaults.ServiceName).Trim();
        if (serviceName.Length == 0 || !serviceName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            // It becomes a key of Akka's configuration (config discovery), where a dot would start a path.
            discovery.AddError("service-name", $"'{serviceName}' is not a name of letters, digits, '-' and '_', such as otel-sampler");
            serviceName = defaults.ServiceName;
        }

        var options = new DiscoveryOptions
        {
            Method = method,
            ManagementEndpoint = managementEndpoint,
            ServiceName = serviceName,
            RequiredContactPointNr = discovery.GetInt("required-contact-point-nr", defaults.RequiredContactPointNr, min: 1, max: 1000),
            ContactPoints = ContactPointList(config, "contact-points"),
            PodLabelSelector = kubernetes.GetString("pod-label-selector", defaults.PodLabelSelector).Trim(),
            PodNamespace = kubernetes.GetString("pod-namespace", defaults.PodNamespace).Trim(),
        };

        if (method == DiscoveryMethod.Config)
        {
            if (options.ContactPoints.Count == 0)
            {
                config.AddError("contact-points", "must list every node's contact point (host:port of its management-endpoint) when discovery.method = config");
            }
            else if (options.RequiredContactPointNr > options.ContactPoints.Count)
            {
                discovery.AddError("required-contact-point-nr",
                    $"is {options.RequiredContactPointNr}, more than the {options.ContactPoints.Count} contact points listed in config.contact-points, so no cluster would ever form");
            }
        }

        if (method == DiscoveryMethod.KubernetesApi && !IsLabelSelector(options.PodLabelSelector))
        {
            kubernetes.AddError("pod-label-selector", $"'{options.PodLabelSelector}' is not a label selector such as app=otel-sampler ({{0}} stands for service-name)");
        }

        return options;
    }

    // A list, or one comma-separated string as an environment variable gives it; each host:port, host without ':'
    // (Akka's config discovery splits an endpoint at its first ':', so IPv6 addresses cannot be written).
    private static List<string> ContactPointList(SettingsReader section, string key)
    {
        List<string> points = section.HasValue(key)
            ? [.. section.GetString(key, "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : [.. section.GetStringList(key).Select(point => point.Trim())];
        for (var i = 0; i < points.Count; i++)
        {
            if (!ClusterAddresses.IsHostAndPort(points[i]) || points[i].IndexOf(':', StringComparison.Ordinal) != points[i].LastIndexOf(':'))
            {
                section.AddError(string.Create(CultureInfo.InvariantCulture, $"{key}.{i}"),
                    $"'{points[i]}' is not host:port of a node's management-endpoint, such as sampler-1:8558 (IPv6 addresses are not supported)");
            }
        }

        return points;
    }

    private static bool IsLabelSelector(string selector)
    {
        if (selector.Length == 0)
        {
            return false;
        }

        try
        {
            // Akka's Kubernetes discovery formats the selector with the service name.
            _ = string.Format(CultureInfo.InvariantCulture, selector, "otel-sampler");
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
