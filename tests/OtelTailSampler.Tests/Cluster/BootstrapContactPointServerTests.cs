using System.Net;
using System.Net.Sockets;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using OtelTailSampler.Cluster;
using OtelTailSampler.Hosting;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Cluster;

/// <summary>A node with config discovery serves its contact point and has Akka's Cluster Bootstrap form the cluster.</summary>
public sealed class BootstrapContactPointServerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-bootstrap-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_node_listing_only_its_own_contact_point_forms_a_cluster_of_one_through_Cluster_Bootstrap()
    {
        var port = LoopbackCluster.FreePort("127.0.0.1");
        await using var node = await TestNode.StartAsync(WithDiscovery(TestNode.LoopbackOptions(_directory), port));

        // Bootstrap probes this node's own contact point, and with one required it is the lowest and joins itself.
        await Poll.UntilAsync(() => TestNode.UpMembers(node.System) == 1, "the node to be Up through Cluster Bootstrap", TimeSpan.FromSeconds(60));

        using var client = new HttpClient();
        var contactPoint = new Uri($"http://127.0.0.1:{port}");
        var answer = JsonConvert.DeserializeObject<HttpBootstrapJsonProtocol.SeedNodes>(
            await client.GetStringAsync(new Uri(contactPoint, BootstrapContactPointServer.SeedNodesPath)))!;
        var self = Akka.Cluster.Cluster.Get(node.System).SelfAddress;
        Assert.Equal(self, answer.SelfNode);
        Assert.Equal(self, Assert.Single(answer.Nodes).Node);

        using var elsewhere = await client.GetAsync(new Uri(contactPoint, "/cluster"));
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        using var post = await client.PostAsync(new Uri(contactPoint, BootstrapContactPointServer.SeedNodesPath), null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task A_management_endpoint_in_use_stops_the_start_naming_the_setting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var node = SamplerNode.Create(WithDiscovery(TestNode.LoopbackOptions(_directory), port), logging => logging.SetMinimumLevel(LogLevel.Critical));
        await using (node)
        {
            var failure = await Assert.ThrowsAsync<NodeStartupException>(() => node.StartAsync());
            Assert.StartsWith($"sampler.cluster.discovery.management-endpoint: cannot listen on 127.0.0.1:{port}: ", failure.Message, StringComparison.Ordinal);
        }
    }

    private static SamplerOptions WithDiscovery(SamplerOptions options, int port) => options with
    {
        Cluster = options.Cluster with
        {
            Discovery = new DiscoveryOptions
            {
                Method = DiscoveryMethod.Config,
                ManagementEndpoint = $"127.0.0.1:{port}",
                RequiredContactPointNr = 1,
                ContactPoints = [$"127.0.0.1:{port}"],
            },
        },
    };
}
