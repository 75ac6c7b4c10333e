using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.DependencyInjection;
using Akka.Discovery;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OtelTailSampler.Cluster;

/// <summary>
/// Akka.Discovery's kubernetes-api method for Cluster Bootstrap: the running pods that match the label selector, in
/// the namespace, by IP, listed through the API server's REST API with the pod's service account. It does what
/// Akka.Discovery.KubernetesApi does with its defaults, which cannot be used here: its 1.5.73 is built for
/// KubernetesClient 17 and the registry serves 19 and 21, on which its lookup fails
/// (MissingMethodException: V1PodList's constructor). One GET and a JSON walk need no client library.
/// </summary>
public sealed partial class KubernetesPodDiscovery : ServiceDiscovery, IDisposable
{
    private readonly KubernetesApiSettings _settings;
    private readonly HttpClient _http;
    private readonly ILogger _logger;

    /// <summary>The constructor Akka.Discovery calls, with akka.discovery.kubernetes-api.</summary>
    public KubernetesPodDiscovery(ExtendedActorSystem system, Config config)
        : this(KubernetesApiSettings.Read(config, Environment.GetEnvironmentVariable), handler: null, LoggerOf(system))
    {
    }

    /// <param name="handler">Sends the API requests; null: HTTPS that trusts the service account's CA.</param>
    internal KubernetesPodDiscovery(KubernetesApiSettings settings, HttpMessageHandler? handler, ILogger logger)
    {
        _settings = settings;
        _logger = logger;
        _http = new HttpClient(handler ?? TrustingClusterCa(settings.CaPath, logger));
        if (settings.ApiServer is null)
        {
            LogNoApiServer(settings.HostVariable);
        }
        else
        {
            var podNamespace = settings.Namespace() ?? "(unknown: default)";
            LogConfigured(settings.ApiServer, settings.PodLabelSelector, podNamespace);
        }
    }

    public override async Task<Resolved> Lookup(Lookup lookup, TimeSpan resolveTimeout)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var apiServer = _settings.ApiServer ?? throw new InvalidOperationException(
            $"The Kubernetes API server is not known: {_settings.HostVariable} is not set (the kubernetes-api discovery method works inside a pod)");
        var selector = string.Format(CultureInfo.InvariantCulture, _settings.PodLabelSelector, lookup.ServiceName);
        var podNamespace = _settings.Namespace() ?? "default";
        using var timeout = new CancellationTokenSource(resolveTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri(apiServer, $"/api/v1/namespaces/{Uri.EscapeDataString(podNamespace)}/pods?labelSelector={Uri.EscapeDataString(selector)}"));

        // Read at every lookup: Kubernetes rotates the service account's token.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(_settings.TokenPath, timeout.Token)).Trim());
        using var response = await _http.SendAsync(request, timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            // Forbidden: the pod's service account may not list pods (a Role with get/list/watch on pods is needed).
            throw new HttpRequestException(
                $"The Kubernetes API answered {(int)response.StatusCode} {response.StatusCode} listing pods with label selector '{selector}' in namespace '{podNamespace}': {body}",
                inner: null, response.StatusCode);
        }

        using var pods = JsonDocument.Parse(body);
        return new Resolved(lookup.ServiceName, RunningPodTargets(pods.RootElement));
    }

    /// <summary>
    /// The pods of a PodList that can answer a probe: Running, not being deleted, with an IP. Each is a target by
    /// its IP and without a port, so that Bootstrap probes it on the management port (contact-point.fallback-port).
    /// </summary>
    internal static List<ResolvedTarget> RunningPodTargets(JsonElement podList)
    {
        List<ResolvedTarget> targets = [];
        if (!podList.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return targets;
        }

        foreach (var pod in items.EnumerateArray())
        {
            var deleting = pod.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("deletionTimestamp", out var deletion)
                && deletion.ValueKind != JsonValueKind.Null;
            if (deleting || !pod.TryGetProperty("status", out var status))
            {
                continue;
            }

            var running = status.TryGetProperty("phase", out var phase) && string.Equals(phase.GetString(), "Running", StringComparison.OrdinalIgnoreCase);
            if (running && status.TryGetProperty("podIP", out var podIp) && IPAddress.TryParse(podIp.GetString(), out var address))
            {
                targets.Add(new ResolvedTarget(address.ToString(), port: null, address));
            }
        }

        return targets;
    }

    /// <summary>Whether the API server's certificate chains to the cluster's CA (and names the host it was reached by).</summary>
    internal static bool IsSignedByClusterCa(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 clusterCa)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(clusterCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }

    public void Dispose() => _http.Dispose();

    private static SocketsHttpHandler TrustingClusterCa(string caPath, ILogger logger)
    {
        var handler = new SocketsHttpHandler();
        if (!File.Exists(caPath))
        {
            LogNoClusterCa(logger, caPath);
            return handler;
        }

        var clusterCa = X509CertificateLoader.LoadCertificateFromFile(caPath);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsSignedByClusterCa(certificate, errors, clusterCa);
        return handler;
    }

    // Akka.Hosting puts the node's service provider in the actor system's setup; without it (a bare actor system), no logs.
    private static ILogger LoggerOf(ExtendedActorSystem system)
    {
        var setup = system.Settings.Setup.Get<DependencyResolverSetup>();
        var factory = setup.HasValue ? setup.Value.DependencyResolver.GetService<ILoggerFactory>() : null;
        return factory?.CreateLogger<KubernetesPodDiscovery>() ?? NullLogger<KubernetesPodDiscovery>.Instance;
    }

    [LoggerMessage(EventId = 92, Level = LogLevel.Information,
        Message = "Discovering Cluster Bootstrap contact points through the Kubernetes API at {ApiServer}: running pods matching '{Selector}' in namespace {Namespace}")]
    private partial void LogConfigured(Uri apiServer, string selector, string @namespace);

    [LoggerMessage(EventId = 93, Level = LogLevel.Error,
        Message = "sampler.cluster.discovery.method = kubernetes-api, but {Variable} is not set: this node is not in a Kubernetes pod, and finds no contact points")]
    private partial void LogNoApiServer(string variable);

    [LoggerMessage(EventId = 94, Level = LogLevel.Warning,
        Message = "The service account's CA certificate {Path} does not exist; the Kubernetes API server's certificate is checked against the system's trusted roots")]
    private static partial void LogNoClusterCa(ILogger logger, string path);
}
