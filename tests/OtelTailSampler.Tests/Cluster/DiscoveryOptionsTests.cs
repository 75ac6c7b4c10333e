using OtelTailSampler.Cluster;
using OtelTailSampler.Configuration;
using OtelTailSampler.Configuration.Hocon;

namespace OtelTailSampler.Tests.Cluster;

/// <summary>sampler.cluster.discovery bound from hocon/sampler.conf, a user's file and the environment.</summary>
public sealed class DiscoveryOptionsTests
{
    private static SamplerConfigurationResult Load(string userText, Func<string, string?>? environment = null) =>
        SamplerConfiguration.Load([new HoconSource(SamplerConfiguration.DefaultsText(), SamplerConfiguration.DefaultsFileName), new HoconSource(userText, "user.conf")],
            environment ?? (_ => null));

    private static List<string> Errors(SamplerConfigurationResult result) => [.. result.Errors.Select(error => error.ToString())];

    [Fact]
    public void The_default_is_no_discovery_with_the_documented_values()
    {
        var result = SamplerConfiguration.Load(userFile: null, _ => null);

        Assert.Empty(result.Errors);
        var cluster = result.Options!.Cluster;
        var discovery = cluster.Discovery;
        var defaults = new DiscoveryOptions();
        Assert.Equal(DiscoveryMethod.None, discovery.Method);
        Assert.Equal("0.0.0.0:8558", discovery.ManagementEndpoint);
        Assert.Equal("otel-sampler", discovery.ServiceName);
        Assert.Equal(2, discovery.RequiredContactPointNr);
        Assert.Empty(discovery.ContactPoints);
        Assert.Equal("app=otel-sampler", discovery.PodLabelSelector);
        Assert.Equal("", discovery.PodNamespace);
        Assert.Equal(defaults, discovery with { ContactPoints = defaults.ContactPoints });
        Assert.True(cluster.JoinsItself);
    }

    [Fact]
    public void Config_discovery_binds_from_a_file_and_from_the_environment()
    {
        var fromFile = Load("""
            sampler.cluster.discovery {
              method = config
              management-endpoint = "10.0.0.5:18558"
              service-name = samplers
              required-contact-point-nr = 3
              config.contact-points = ["sampler-1:18558", " sampler-2:18558", "10.0.0.7:18558"]
            }
            """);
        var fromEnvironment = SamplerConfiguration.Load(userFile: null, new Dictionary<string, string>
        {
            ["SAMPLER_CLUSTER_DISCOVERY_METHOD"] = "config",
            ["SAMPLER_CLUSTER_DISCOVERY_MANAGEMENT_ENDPOINT"] = "127.0.0.11:18558",
            ["SAMPLER_CLUSTER_DISCOVERY_SERVICE_NAME"] = "sampler_pool",
            ["SAMPLER_CLUSTER_DISCOVERY_REQUIRED_CONTACT_POINT_NR"] = "1",
            ["SAMPLER_CLUSTER_DISCOVERY_CONFIG_CONTACT_POINTS"] = "127.0.0.11:18558, 127.0.0.12:18558,",
        }.GetValueOrDefault);

        Assert.Empty(fromFile.Errors);
        var file = fromFile.Options!.Cluster;
        Assert.Equal(DiscoveryMethod.Config, file.Discovery.Method);
        Assert.Equal("10.0.0.5:18558", file.Discovery.ManagementEndpoint);
        Assert.Equal("samplers", file.Discovery.ServiceName);
        Assert.Equal(3, file.Discovery.RequiredContactPointNr);
        Assert.Equal(["sampler-1:18558", "sampler-2:18558", "10.0.0.7:18558"], file.Discovery.ContactPoints);
        Assert.False(file.JoinsItself);

        Assert.Empty(fromEnvironment.Errors);
        var environment = fromEnvironment.Options!.Cluster.Discovery;
        Assert.Equal(DiscoveryMethod.Config, environment.Method);
        Assert.Equal("127.0.0.11:18558", environment.ManagementEndpoint);
        Assert.Equal("sampler_pool", environment.ServiceName);
        Assert.Equal(1, environment.RequiredContactPointNr);
        Assert.Equal(["127.0.0.11:18558", "127.0.0.12:18558"], environment.ContactPoints);
    }

    [Fact]
    public void Kubernetes_discovery_binds_from_the_environment_and_needs_the_pod_s_IP_as_public_hostname()
    {
        var variables = new Dictionary<string, string>
        {
            ["SAMPLER_CLUSTER_DISCOVERY_METHOD"] = "kubernetes-api",
            ["SAMPLER_CLUSTER_DISCOVERY_KUBERNETES_API_POD_LABEL_SELECTOR"] = "app.kubernetes.io/name={0}",
            ["SAMPLER_CLUSTER_DISCOVERY_KUBERNETES_API_POD_NAMESPACE"] = "observability",
            ["SAMPLER_CLUSTER_PUBLIC_HOSTNAME"] = "10.1.2.3",
        };
        var good = SamplerConfiguration.Load(userFile: null, variables.GetValueOrDefault);
        variables.Remove("SAMPLER_CLUSTER_PUBLIC_HOSTNAME");
        var noPublicHostname = SamplerConfiguration.Load(userFile: null, variables.GetValueOrDefault);
        variables["SAMPLER_CLUSTER_PUBLIC_HOSTNAME"] = "sampler-0.sampler";
        var dnsName = SamplerConfiguration.Load(userFile: null, variables.GetValueOrDefault);

        Assert.Empty(good.Errors);
        var discovery = good.Options!.Cluster.Discovery;
        Assert.Equal(DiscoveryMethod.KubernetesApi, discovery.Method);
        Assert.Equal("app.kubernetes.io/name={0}", discovery.PodLabelSelector);
        Assert.Equal("observability", discovery.PodNamespace);
        Assert.Empty(discovery.ContactPoints);

        Assert.Contains(Errors(noPublicHostname), e => e.Contains(
            "sampler.cluster.public-hostname: must be this pod's IP address when discovery.method = kubernetes-api (set SAMPLER_CLUSTER_PUBLIC_HOSTNAME from the pod's status.podIP), but it is empty and the endpoint binds every interface",
            StringComparison.Ordinal));
        Assert.Contains(Errors(dnsName), e => e.Contains("sampler.cluster.public-hostname: must be this pod's IP address", StringComparison.Ordinal)
            && e.Contains("but it is 'sampler-0.sampler'", StringComparison.Ordinal));
    }

    [Fact]
    public void Seeds_and_discovery_together_are_refused()
    {
        var result = Load("""
            sampler.cluster {
              seed-nodes = ["sampler-1:4319"]
              discovery { method = config, config.contact-points = ["sampler-1:8558", "sampler-2:8558"] }
            }
            """);

        Assert.Null(result.Options);
        var error = Assert.Single(Errors(result));
        Assert.Contains("user.conf:2:", error, StringComparison.Ordinal);
        Assert.Contains("sampler.cluster.seed-nodes: must be empty when discovery.method = config", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_discovery_values_are_reported_naming_their_settings()
    {
        var badValues = Errors(Load("""
            sampler.cluster.discovery {
              method = config
              management-endpoint = "sampler-1:8558"
              service-name = "otel.sampler"
              required-contact-point-nr = 0
              config.contact-points = ["sampler-1", "[::1]:8558", "sampler-3:8558"]
              config.contact-point = ["sampler-1:8558"]
              kubernetes-api.pod-label-selector = "app={1"
            }
            """));
        var unknownMethod = Errors(Load("sampler.cluster.discovery.method = dns"));
        var noContactPoints = Errors(Load("sampler.cluster.discovery.method = config"));
        var tooFew = Errors(Load("""sampler.cluster.discovery { method = config, config.contact-points = ["sampler-1:8558"] }"""));
        var badSelector = Errors(Load("""
            sampler.cluster.public-hostname = "10.1.2.3"
            sampler.cluster.discovery { method = kubernetes-api, kubernetes-api.pod-label-selector = "app={1" }
            """));

        Assert.Equal(6, badValues.Count);
        Assert.Contains(badValues, e => e.Contains("sampler.cluster.discovery.management-endpoint: 'sampler-1:8558' is not a listen address", StringComparison.Ordinal));
        Assert.Contains(badValues, e => e.Contains("sampler.cluster.discovery.service-name: 'otel.sampler' is not a name of letters, digits", StringComparison.Ordinal));
        Assert.Contains(badValues, e => e.Contains("sampler.cluster.discovery.required-contact-point-nr: must be between 1 and 1000 but is 0", StringComparison.Ordinal));
        Assert.Contains(badValues, e => e.Contains("sampler.cluster.discovery.config.contact-points[0]: 'sampler-1' is not host:port", StringComparison.Ordinal));
        Assert.Contains(badValues, e => e.Contains("sampler.cluster.discovery.config.contact-points[1]: '[::1]:8558' is not host:port", StringComparison.Ordinal));
        Assert.Contains(badValues, e => e.Contains("sampler.cluster.discovery.config.contact-point: unknown setting", StringComparison.Ordinal));

        Assert.Contains("sampler.cluster.discovery.method: expected one of none, config, kubernetes-api but found 'dns'", Assert.Single(unknownMethod), StringComparison.Ordinal);
        Assert.Contains("sampler.cluster.discovery.config.contact-points: must list every node's contact point", Assert.Single(noContactPoints), StringComparison.Ordinal);
        Assert.Contains("sampler.cluster.discovery.required-contact-point-nr: is 2, more than the 1 contact points listed", Assert.Single(tooFew), StringComparison.Ordinal);
        Assert.Contains("sampler.cluster.discovery.kubernetes-api.pod-label-selector: 'app={1' is not a label selector", Assert.Single(badSelector), StringComparison.Ordinal);
    }
}
