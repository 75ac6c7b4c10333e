using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Discovery;
using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Cluster;

namespace OtelTailSampler.Tests.Cluster;

/// <summary>The kubernetes-api discovery method, against a stand-in for the API server (no Kubernetes here).</summary>
public sealed class KubernetesPodDiscoveryTests : IDisposable
{
    private const string PodList = """
        {
          "kind": "PodList",
          "items": [
            { "metadata": { "name": "sampler-0" }, "status": { "phase": "Running", "podIP": "10.1.0.5" } },
            { "metadata": { "name": "sampler-1" }, "status": { "phase": "Pending" } },
            { "metadata": { "name": "sampler-2", "deletionTimestamp": "2026-01-01T00:00:00Z" }, "status": { "phase": "Running", "podIP": "10.1.0.7" } },
            { "metadata": { "name": "sampler-3" }, "status": { "phase": "Running" } },
            { "metadata": { "name": "sampler-4", "deletionTimestamp": null }, "status": { "phase": "Running", "podIP": "fd00::9" } }
          ]
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-kubernetes-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Running_pods_with_an_IP_that_are_not_being_deleted_are_the_targets_without_a_port()
    {
        using var pods = JsonDocument.Parse(PodList);

        var targets = KubernetesPodDiscovery.RunningPodTargets(pods.RootElement);

        Assert.Equal(["10.1.0.5", "fd00::9"], targets.Select(target => target.Host));
        Assert.All(targets, target => Assert.Null(target.Port));
        Assert.Equal([IPAddress.Parse("10.1.0.5"), IPAddress.Parse("fd00::9")], targets.Select(target => target.Address));
        using var empty = JsonDocument.Parse("""{ "kind": "PodList", "items": [] }""");
        Assert.Empty(KubernetesPodDiscovery.RunningPodTargets(empty.RootElement));
    }

    [Fact]
    public async Task A_lookup_lists_the_namespace_s_pods_by_label_with_the_service_account_s_current_token()
    {
        var token = Path.Combine(_directory, "token");
        var podNamespace = Path.Combine(_directory, "namespace");
        await File.WriteAllTextAsync(token, "first-token\n");
        await File.WriteAllTextAsync(podNamespace, "observability\n");
        var requests = new List<(Uri Uri, string? Authorization)>();
        var status = HttpStatusCode.OK;
        var api = new StubApiServer(request =>
        {
            requests.Add((request.RequestUri!, request.Headers.Authorization?.ToString()));
            return new HttpResponseMessage(status)
            {
                Content = new StringContent(status == HttpStatusCode.OK ? PodList : """{"kind":"Status","reason":"Forbidden"}""", Encoding.UTF8, "application/json"),
            };
        });
        var settings = new KubernetesApiSettings(new Uri("https://10.96.0.1:443"), "KUBERNETES_SERVICE_HOST", token, Path.Combine(_directory, "ca.crt"),
            PodNamespace: "", podNamespace, "app.kubernetes.io/name={0},tier in (a,b)");
        using var discovery = new KubernetesPodDiscovery(settings, api, NullLogger.Instance);

        var resolved = await discovery.Lookup(new Lookup("otel-sampler"), TimeSpan.FromSeconds(10));
        await File.WriteAllTextAsync(token, "rotated-token");
        status = HttpStatusCode.Forbidden;
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => discovery.Lookup(new Lookup("otel-sampler"), TimeSpan.FromSeconds(10)));

        Assert.Equal("otel-sampler", resolved.ServiceName);
        Assert.Equal(["10.1.0.5", "fd00::9"], resolved.Addresses.Select(target => target.Host));
        Assert.Equal(
            "https://10.96.0.1/api/v1/namespaces/observability/pods?labelSelector=app.kubernetes.io%2Fname%3Dotel-sampler%2Ctier%20in%20%28a%2Cb%29",
            requests[0].Uri.AbsoluteUri);
        Assert.Equal(["Bearer first-token", "Bearer rotated-token"], requests.Select(request => request.Authorization));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("answered 403 Forbidden listing pods with label selector 'app.kubernetes.io/name=otel-sampler,tier in (a,b)' in namespace 'observability'",
            refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Akka_Discovery_loads_the_method_from_the_derived_configuration_and_outside_a_pod_a_lookup_says_why_it_finds_nothing()
    {
        var unset = $"OTEL_SAMPLER_TEST_UNSET_{Guid.NewGuid():N}";
        var config = ConfigurationFactory.ParseString($"akka.discovery.kubernetes-api.api-service-host-env-name = {unset}\nakka.loglevel = WARNING")
            .WithFallback(ConfigurationFactory.ParseString(BootstrapHocon.Render(new DiscoveryOptions { Method = DiscoveryMethod.KubernetesApi })));
        using var system = ActorSystem.Create("kubernetes-discovery", config);
        try
        {
            var discovery = Discovery.Get(system).LoadServiceDiscovery("kubernetes-api");

            Assert.IsType<KubernetesPodDiscovery>(discovery);
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => discovery.Lookup(new Lookup("otel-sampler"), TimeSpan.FromSeconds(5)));
            Assert.Contains($"{unset} is not set", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void The_API_server_is_trusted_when_its_certificate_chains_to_the_cluster_s_CA_and_names_the_host()
    {
        using var clusterCa = CertificateAuthority("CN=kubernetes");
        using var otherCa = CertificateAuthority("CN=elsewhere");
        using var server = ServerCertificate(clusterCa);
        using var impostor = ServerCertificate(otherCa);

        // An SslStream reports a chain to a root the machine does not trust as a chain error.
        Assert.True(KubernetesPodDiscovery.IsSignedByClusterCa(server, SslPolicyErrors.RemoteCertificateChainErrors, clusterCa));
        Assert.True(KubernetesPodDiscovery.IsSignedByClusterCa(server, SslPolicyErrors.None, clusterCa));
        Assert.False(KubernetesPodDiscovery.IsSignedByClusterCa(impostor, SslPolicyErrors.RemoteCertificateChainErrors, clusterCa));
        Assert.False(KubernetesPodDiscovery.IsSignedByClusterCa(server, SslPolicyErrors.RemoteCertificateNameMismatch, clusterCa));
        Assert.False(KubernetesPodDiscovery.IsSignedByClusterCa(null, SslPolicyErrors.RemoteCertificateNotAvailable, clusterCa));
    }

    private static X509Certificate2 CertificateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 ServerCertificate(X509Certificate2 issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-apiserver", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        return request.Create(issuer, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
    }

    /// <summary>Answers the discovery's requests in place of the API server.</summary>
    private sealed class StubApiServer(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
