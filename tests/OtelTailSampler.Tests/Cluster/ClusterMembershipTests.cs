using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OtelTailSampler.Tests.Support;
using Xunit.Abstractions;

namespace OtelTailSampler.Tests.Cluster;

/// <summary>
/// Three real node processes on their own loopback addresses (127.0.0.2, .3, .4) form one Akka.NET cluster from
/// static seeds; `otel-sampler cluster show` lists them, `cluster down` makes a member exit with 3, and `cluster
/// leave` and SIGTERM make a member leave gracefully and exit with 0.
/// </summary>
public sealed class ClusterMembershipTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-cluster-").FullName;
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
    public async Task Three_nodes_form_one_cluster_a_downed_node_exits_3_and_a_leaving_one_exits_0()
    {
        var hosts = new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4" };
        var clusterPorts = hosts.Select(FreePort).ToArray();
        var seeds = string.Join(",", hosts.Select((host, i) => $"{host}:{clusterPorts[i]}"));
        var admins = new List<Uri>();
        for (var i = 0; i < hosts.Length; i++)
        {
            var dataDir = Path.Combine(_directory, $"node-{i + 1}");
            Directory.CreateDirectory(dataDir);
            var node = SamplerProcess.Start(dataDir, new Dictionary<string, string>
            {
                ["SAMPLER_OTLP_GRPC_ENDPOINT"] = $"{hosts[i]}:0",
                ["SAMPLER_OTLP_HTTP_ENDPOINT"] = $"{hosts[i]}:0",
                ["SAMPLER_ADMIN_ENDPOINT"] = $"{hosts[i]}:0",
                ["SAMPLER_CLUSTER_ENDPOINT"] = $"{hosts[i]}:{clusterPorts[i]}",
                ["SAMPLER_CLUSTER_SEED_NODES"] = seeds,
            });
            _nodes.Add(node);
        }

        foreach (var (node, host) in _nodes.Zip(hosts))
        {
            var ports = await node.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            admins.Add(new Uri($"http://{host}:{ports.Admin}"));
        }

        foreach (var admin in admins)
        {
            await WaitForMembersAsync(admin, up: 3);
        }

        var (code, stdout, stderr) = await SamplerProcess.RunAsync(_directory, "cluster", "show", "--admin", admins[1].ToString());
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Contains("3 members, 3 Up", stdout, StringComparison.Ordinal);
        foreach (var (host, port) in hosts.Zip(clusterPorts))
        {
            Assert.Contains($"akka.tcp://otel-sampler@{host}:{port}", stdout, StringComparison.Ordinal);
        }

        // Every node is ready once it is Up.
        using (var client = new HttpClient())
        {
            foreach (var admin in admins)
            {
                using var ready = await client.GetAsync(new Uri(admin, "/readyz"));
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }
        }

        // Downed by an operator through another node: it shuts down and exits 3, for its supervisor to restart it.
        var third = $"akka.tcp://otel-sampler@{hosts[2]}:{clusterPorts[2]}";
        (code, stdout, stderr) = await SamplerProcess.RunAsync(_directory, "cluster", "down", third, "--admin", admins[0].ToString());
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(3, await _nodes[2].WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("the cluster downed this node", _nodes[2].StandardError, StringComparison.Ordinal);
        await WaitForMembersAsync(admins[0], up: 2, total: 2);

        // Asked to leave: it leaves gracefully and exits 0; so does SIGTERM, the last one.
        (code, stdout, stderr) = await SamplerProcess.RunAsync(_directory, "cluster", "leave", "--admin", admins[1].ToString());
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(0, await _nodes[1].WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await WaitForMembersAsync(admins[0], up: 1, total: 1);
        Assert.Equal(0, await _nodes[0].TerminateAsync(TimeSpan.FromSeconds(60)));
    }

    // Membership converges in the other processes; the admin API is polled with a deadline.
    private static async Task WaitForMembersAsync(Uri admin, int up, int? total = null)
    {
        using var client = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = await client.GetStringAsync(new Uri(admin, "/cluster"));
            using var document = JsonDocument.Parse(last);
            var members = document.RootElement.GetProperty("members").EnumerateArray().ToList();
            if (members.Count(member => member.GetProperty("status").GetString() == "Up") == up && (total is null || members.Count == total))
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"the cluster did not reach {up} Up members; last seen:\n{last}");
    }

    private static int FreePort(string host)
    {
        using var listener = new TcpListener(IPAddress.Parse(host), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
