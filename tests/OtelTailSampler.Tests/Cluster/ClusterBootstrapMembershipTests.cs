using System.Text.Json;
using OtelTailSampler.Tests.Support;
using Xunit.Abstractions;

namespace OtelTailSampler.Tests.Cluster;

/// <summary>
/// Membership through config discovery (Cluster Bootstrap) with three nodes: three real node processes on their own
/// loopback addresses (127.0.0.11, .12, .13), each listing the three management endpoints as its contact points and
/// none given a seed or even a fixed remoting port, form one cluster.
/// </summary>
public sealed class ClusterBootstrapMembershipTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Hosts = ["127.0.0.11", "127.0.0.12", "127.0.0.13"];

    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-bootstrap-").FullName;
    private readonly List<SamplerProcess> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Three_nodes_with_config_discovery_form_one_cluster_through_Cluster_Bootstrap()
    {
        var managementPorts = Hosts.Select(LoopbackCluster.FreePort).ToArray();
        var contactPoints = string.Join(",", Hosts.Select((host, i) => $"{host}:{managementPorts[i]}"));
        for (var i = 0; i < Hosts.Length; i++)
        {
            var dataDir = Path.Combine(_directory, $"node-{i + 1}");
            Directory.CreateDirectory(dataDir);
            _nodes.Add(SamplerProcess.Start(dataDir, new Dictionary<string, string>
            {
                ["SAMPLER_OTLP_GRPC_ENDPOINT"] = $"{Hosts[i]}:0",
                ["SAMPLER_OTLP_HTTP_ENDPOINT"] = $"{Hosts[i]}:0",
                ["SAMPLER_ADMIN_ENDPOINT"] = $"{Hosts[i]}:0",
                // The contact points tell each other's remoting addresses, so the OS may pick these ports.
                ["SAMPLER_CLUSTER_ENDPOINT"] = $"{Hosts[i]}:0",
                ["SAMPLER_CLUSTER_DISCOVERY_METHOD"] = "config",
                ["SAMPLER_CLUSTER_DISCOVERY_MANAGEMENT_ENDPOINT"] = $"{Hosts[i]}:{managementPorts[i]}",
                ["SAMPLER_CLUSTER_DISCOVERY_CONFIG_CONTACT_POINTS"] = contactPoints,
            }));
        }

        var admins = new List<Uri>();
        foreach (var (node, host) in _nodes.Zip(Hosts))
        {
            var ports = await node.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            admins.Add(new Uri($"http://{host}:{ports.Admin}"));
        }

        foreach (var admin in admins)
        {
            await LoopbackCluster.WaitForMembersAsync(admin, up: 3, total: 3);
        }

        // One cluster: every node reports the same three members, all Up, and the same leader.
        var leaders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var admin in admins)
        {
            var (code, stdout, stderr) = await SamplerProcess.RunAsync(_directory, "cluster", "show", "--json", "--admin", admin.ToString());
            output.WriteLine(stdout + stderr);
            Assert.Equal(0, code);
            using var snapshot = JsonDocument.Parse(stdout);
            var members = snapshot.RootElement.GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(Hosts, members.Select(member => new Uri(member.GetProperty("address").GetString()!.Replace("akka.tcp://otel-sampler@", "tcp://", StringComparison.Ordinal)).Host));
            Assert.All(members, member => Assert.Equal("Up", member.GetProperty("status").GetString()));
            leaders.Add(snapshot.RootElement.GetProperty("leader").GetString()!);
        }

        Assert.Single(leaders);

        // The lowest contact point formed the cluster; the others joined it.
        Assert.Contains("Initiating new cluster, self-joining", _nodes[0].StandardOutput, StringComparison.Ordinal);
        Assert.All(_nodes.Skip(1), node => Assert.Contains("to existing cluster", node.StandardOutput, StringComparison.Ordinal));
    }
}
