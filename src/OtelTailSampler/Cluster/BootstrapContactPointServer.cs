using System.Net;
using Akka.Actor;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Dsl;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OtelTailSampler.Configuration;
using OtelTailSampler.Hosting;

namespace OtelTailSampler.Cluster;

/// <summary>
/// Serves this node's Cluster Bootstrap contact point, GET /bootstrap/seed-nodes, on sampler.cluster.discovery's
/// management endpoint, then starts Akka's Cluster Bootstrap, which discovers its peers' contact points, probes them
/// and forms or joins the cluster. Akka.Management's own HTTP server is never started: on the Ceen.Httpd the
/// registry serves it fails at start (docs/ARCHITECTURE.md), so a Kestrel server of the node's own answers its route.
/// It is a server of its own, beside the node's listeners, because it exists only with discovery and must be up
/// before Bootstrap probes this node's own contact point.
/// </summary>
internal sealed partial class BootstrapContactPointServer(IServiceProvider services, ClusterOptions options, ClusterAddresses addresses, ILoggerFactory loggerFactory)
    : IHostedService, IDisposable
{
    /// <summary>The contact point's route, as Akka's probing client asks for it.</summary>
    public const string SeedNodesPath = "/bootstrap/seed-nodes";

    private readonly ILogger _logger = loggerFactory.CreateLogger<BootstrapContactPointServer>();
    private KestrelServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var discovery = options.Discovery;
        if (!EndpointAddress.TryParse(discovery.ManagementEndpoint, out var endpoint))
        {
            throw new InvalidOperationException($"sampler.cluster.discovery.management-endpoint: '{discovery.ManagementEndpoint}' is not a listen address such as 0.0.0.0:8558.");
        }

        // Started by Akka.Hosting's hosted service, registered before this one.
        var system = services.GetRequiredService<ActorSystem>();
        var kestrel = new KestrelServerOptions { AddServerHeader = false, ApplicationServices = services };
        ListenOptions? listener = null;
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listener = listen;
        });
        _server = new KestrelServer(Options.Create(kestrel), new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory), loggerFactory);
        try
        {
            await _server.StartAsync(new ContactPointApplication(Akka.Cluster.Cluster.Get(system)), cancellationToken);
        }
        catch (IOException e)
        {
            var cause = (e.InnerException ?? e).Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
            throw new NodeStartupException($"sampler.cluster.discovery.management-endpoint: cannot listen on {endpoint}: {cause}", e);
        }

        // Peers reach the contact point by the host they reach this node's remoting by; Bootstrap finds itself among
        // the discovered contact points by this address, and the lowest of them forms the cluster.
        var port = listener?.IPEndPoint?.Port ?? endpoint.Port;
        var self = new UriBuilder(Uri.UriSchemeHttp, addresses.PublicHost, port).Uri;
        if (discovery.Method == DiscoveryMethod.Config && !discovery.ContactPoints.Any(point => IsContactPoint(point, addresses.PublicHost, port)))
        {
            LogSelfNotListed(self.Authority, discovery.ContactPoints);
        }

        var bootstrap = ClusterBootstrap.Get(system);

        // Routes() is Akka.Management's public way to embed its routes in another HTTP server: it records the self
        // contact point that Start() waits for. The Ceen modules it returns are not used; this server answers their route.
        _ = bootstrap.Routes(ManagementRouteProviderSettings.Create(self, readOnly: true));
        await bootstrap.Start();
        var bound = new IPEndPoint(endpoint.Address, port);
        var method = DiscoveryOptions.NameOf(discovery.Method);
        LogStarted(bound, self, method, discovery.RequiredContactPointNr);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken);
        }
    }

    public void Dispose() => _server?.Dispose();

    private static bool IsContactPoint(string point, string host, int port)
    {
        var colon = point.LastIndexOf(':');
        return colon > 0 && string.Equals(point[..colon], host, StringComparison.OrdinalIgnoreCase)
            && point.AsSpan(colon + 1).SequenceEqual(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [LoggerMessage(EventId = 90, Level = LogLevel.Information,
        Message = "Cluster Bootstrap contact point listening on {Endpoint} as {SelfContactPoint}; discovering peers through {Method}, a new cluster forms once {Required} contact points answer")]
    private partial void LogStarted(IPEndPoint endpoint, Uri selfContactPoint, string method, int required);

    [LoggerMessage(EventId = 91, Level = LogLevel.Warning,
        Message = "This node's contact point {SelfContactPoint} is not among sampler.cluster.discovery.config.contact-points ({ContactPoints}): it can join a cluster the others form, but never form one itself")]
    private partial void LogSelfNotListed(string selfContactPoint, IReadOnlyList<string> contactPoints);

    /// <summary>Answers the contact point's one route; anything else is 404.</summary>
    private sealed class ContactPointApplication(Akka.Cluster.Cluster cluster) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public async Task ProcessRequestAsync(HttpContext context)
        {
            if (context.Request.Path != SeedNodesPath)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            if (!HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET";
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(SeedNodesResponse.Json(cluster), context.RequestAborted);
        }

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }
}
