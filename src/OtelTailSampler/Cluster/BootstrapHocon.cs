using System.Globalization;
using OtelTailSampler.Configuration;

namespace OtelTailSampler.Cluster;

/// <summary>
/// The Akka configuration of Cluster Bootstrap and its discovery method, derived from sampler.cluster.discovery.
/// Akka's own defaults (stable-margin, probe-interval, …) stay as they are and can be tuned under akka { }.
/// </summary>
public static class BootstrapHocon
{
    /// <summary>Akka's management port, the fallback for contact points found without one.</summary>
    public const int DefaultManagementPort = 8558;

    /// <summary>HOCON for <paramref name="discovery"/>; empty when the method is <see cref="DiscoveryMethod.None"/>.</summary>
    public static string Render(DiscoveryOptions discovery)
    {
        ArgumentNullException.ThrowIfNull(discovery);
        if (discovery.Method == DiscoveryMethod.None)
        {
            return "";
        }

        var method = DiscoveryOptions.NameOf(discovery.Method);
        var port = EndpointAddress.TryParse(discovery.ManagementEndpoint, out var endpoint) && endpoint.Port > 0 ? endpoint.Port : DefaultManagementPort;
        var service = AkkaHoconText.Quoted(discovery.ServiceName);
        var text = string.Create(CultureInfo.InvariantCulture, $$"""
            akka.discovery.method = {{method}}
            akka.management.cluster.bootstrap {
              new-cluster-enabled = on
              contact-point-discovery {
                service-name = {{service}}
                discovery-method = {{method}}
                required-contact-point-nr = {{discovery.RequiredContactPointNr}}
              }
              # Contact points found without a port (Kubernetes pods) are probed on this node's management port.
              contact-point.fallback-port = {{port}}
            }

            """);
        return discovery.Method == DiscoveryMethod.Config ? text + ConfigDiscovery(discovery, service) : text + KubernetesDiscovery(discovery);
    }

    private static string ConfigDiscovery(DiscoveryOptions discovery, string service)
    {
        var endpoints = string.Join(", ", discovery.ContactPoints.Select(AkkaHoconText.Quoted));

        // Every listed contact point is meant: several nodes on one host differ by port, and Bootstrap would otherwise
        // keep only the one on the fallback port.
        return string.Create(CultureInfo.InvariantCulture, $$"""
            akka.management.cluster.bootstrap.contact-point.filter-on-fallback-port = false
            akka.discovery.config.services {
              {{service}} { endpoints = [{{endpoints}}] }
            }

            """);
    }

    private static string KubernetesDiscovery(DiscoveryOptions discovery)
    {
        var type = typeof(KubernetesPodDiscovery);
        var path = KubernetesApiSettings.ServiceAccountPath;

        // Akka.Discovery.KubernetesApi's key names and defaults, read by our own implementation of the method.
        return string.Create(CultureInfo.InvariantCulture, $$"""
            akka.discovery.kubernetes-api {
              class = {{AkkaHoconText.Quoted($"{type.FullName}, {type.Assembly.GetName().Name}")}}
              pod-label-selector = {{AkkaHoconText.Quoted(discovery.PodLabelSelector)}}
              # Empty: the pod's own namespace, read from pod-namespace-path.
              pod-namespace = {{AkkaHoconText.Quoted(discovery.PodNamespace)}}
              pod-namespace-path = "{{path}}/namespace"
              api-token-path = "{{path}}/token"
              api-ca-path = "{{path}}/ca.crt"
              api-service-host-env-name = KUBERNETES_SERVICE_HOST
              api-service-port-env-name = KUBERNETES_SERVICE_PORT
            }

            """);
    }
}
