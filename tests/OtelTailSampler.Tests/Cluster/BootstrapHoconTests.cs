using Akka.Configuration;
using Akka.Discovery.Config;
using Akka.Event;
using Akka.Management.Cluster.Bootstrap;
using OtelTailSampler.Cluster;

namespace OtelTailSampler.Tests.Cluster;

/// <summary>The HOCON derived from sampler.cluster.discovery, read back by Akka's own settings classes.</summary>
public sealed class BootstrapHoconTests
{
    [Fact]
    public void No_discovery_configures_no_bootstrap() => Assert.Equal("", BootstrapHocon.Render(new DiscoveryOptions()));

    [Fact]
    public void Config_discovery_lists_every_contact_point_for_Bootstrap()
    {
        var discovery = new DiscoveryOptions
        {
            Method = DiscoveryMethod.Config,
            ManagementEndpoint = "0.0.0.0:18558",
            ServiceName = "samplers",
            RequiredContactPointNr = 3,
            ContactPoints = ["sampler-1:18558", "sampler-2:18558", "sampler-3:18559"],
        };

        var config = ConfigurationFactory.ParseString(BootstrapHocon.Render(discovery)).WithFallback(ClusterBootstrap.DefaultConfiguration());
        var settings = ClusterBootstrapSettings.Create(config, NoLogger.Instance);

        Assert.Equal("config", config.GetString("akka.discovery.method"));
        Assert.Equal("config", settings.ContactPointDiscovery.DiscoveryMethod);
        Assert.Equal("samplers", settings.ContactPointDiscovery.ServiceName);
        Assert.Equal(3, settings.ContactPointDiscovery.RequiredContactPointsNr);
        Assert.True(settings.NewClusterEnabled);
        Assert.Equal(18558, settings.ContactPoint.FallbackPort);
        Assert.False(settings.ContactPoint.FilterOnFallbackPort);

        // Akka's config discovery reads the service's endpoints back as host and port.
        var services = ConfigServicesParser.Parse(config.GetConfig("akka.discovery.config.services"));
        var resolved = Assert.Single(services);
        Assert.Equal("samplers", resolved.Key);
        Assert.Equal([("sampler-1", 18558), ("sampler-2", 18558), ("sampler-3", 18559)],
            resolved.Value.Addresses.Select(target => (target.Host, target.Port ?? 0)));
    }

    [Fact]
    public void Kubernetes_discovery_selects_pods_by_label_in_the_given_or_the_pod_s_own_namespace()
    {
        var discovery = new DiscoveryOptions
        {
            Method = DiscoveryMethod.KubernetesApi,
            ManagementEndpoint = "0.0.0.0:8558",
            PodLabelSelector = "app.kubernetes.io/name={0},tier=\"sampling\"",
            PodNamespace = "observability",
        };

        var config = ConfigurationFactory.ParseString(BootstrapHocon.Render(discovery)).WithFallback(ClusterBootstrap.DefaultConfiguration());
        var bootstrap = ClusterBootstrapSettings.Create(config, NoLogger.Instance);
        var environment = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" };
        var kubernetes = KubernetesApiSettings.Read(config.GetConfig("akka.discovery.kubernetes-api"), environment.GetValueOrDefault);
        var ownNamespace = KubernetesApiSettings.Read(
            ConfigurationFactory.ParseString(BootstrapHocon.Render(discovery with { PodNamespace = "" })).GetConfig("akka.discovery.kubernetes-api"), _ => null);

        Assert.Equal("kubernetes-api", config.GetString("akka.discovery.method"));
        Assert.Equal(typeof(KubernetesPodDiscovery), Type.GetType(config.GetString("akka.discovery.kubernetes-api.class")));
        Assert.Equal("kubernetes-api", bootstrap.ContactPointDiscovery.DiscoveryMethod);
        Assert.Equal("otel-sampler", bootstrap.ContactPointDiscovery.ServiceName);
        Assert.Equal(2, bootstrap.ContactPointDiscovery.RequiredContactPointsNr);

        // Pods are probed on the management port: no port name is looked up.
        Assert.Null(bootstrap.ContactPointDiscovery.PortName);
        Assert.Equal(8558, bootstrap.ContactPoint.FallbackPort);

        Assert.Equal(new Uri("https://10.96.0.1:443"), kubernetes.ApiServer);
        Assert.Equal("app.kubernetes.io/name={0},tier=\"sampling\"", kubernetes.PodLabelSelector);
        Assert.Equal("observability", kubernetes.Namespace());
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount/token", kubernetes.TokenPath);
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", kubernetes.CaPath);
        Assert.Equal("", ownNamespace.PodNamespace);
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount/namespace", ownNamespace.PodNamespacePath);
        Assert.Null(ownNamespace.ApiServer);
    }
}
