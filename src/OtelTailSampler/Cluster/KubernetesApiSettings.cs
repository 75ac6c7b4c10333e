using System.Globalization;
using Akka.Configuration;

namespace OtelTailSampler.Cluster;

/// <summary>
/// akka.discovery.kubernetes-api as <see cref="KubernetesPodDiscovery"/> reads it: Akka.Discovery.KubernetesApi's
/// own key names and defaults, written by <see cref="BootstrapHocon"/> and open to tuning under akka { }.
/// </summary>
internal sealed record KubernetesApiSettings(
    Uri? ApiServer, string HostVariable, string TokenPath, string CaPath, string PodNamespace, string PodNamespacePath, string PodLabelSelector)
{
    /// <summary>Where a pod's service account is mounted.</summary>
    public const string ServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <param name="environment">Reads an environment variable: the API server's address is in the pod's environment.</param>
    public static KubernetesApiSettings Read(Config config, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(environment);
        var hostVariable = config.GetString("api-service-host-env-name", "KUBERNETES_SERVICE_HOST");
        var host = environment(hostVariable);
        var port = environment(config.GetString("api-service-port-env-name", "KUBERNETES_SERVICE_PORT"));
        Uri? apiServer = null;
        if (!string.IsNullOrWhiteSpace(host))
        {
            var portNumber = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 443;
            apiServer = new UriBuilder(Uri.UriSchemeHttps, host.Trim(), portNumber).Uri;
        }

        return new KubernetesApiSettings(
            apiServer,
            hostVariable,
            config.GetString("api-token-path", $"{ServiceAccountPath}/token"),
            config.GetString("api-ca-path", $"{ServiceAccountPath}/ca.crt"),
            config.GetString("pod-namespace", ""),
            config.GetString("pod-namespace-path", $"{ServiceAccountPath}/namespace"),
            config.GetString("pod-label-selector", "app={0}"));
    }

    /// <summary>The namespace to list pods in: the configured one, else the pod's own; null when neither is known.</summary>
    public string? Namespace()
    {
        if (PodNamespace.Length > 0)
        {
            return PodNamespace;
        }

        return File.Exists(PodNamespacePath) ? File.ReadAllText(PodNamespacePath).Trim() : null;
    }
}
