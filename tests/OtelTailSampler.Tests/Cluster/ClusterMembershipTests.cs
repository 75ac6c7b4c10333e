using System.Net;
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
    private LoopbackCluster? _cluster;

    public void Dispose()
    {
        _cluster?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Three_nodes_form_one_cluster_a_downed_node_exits_3_and_a_leaving_one_exits_0()
    {
        _cluster = await LoopbackCluster.StartAsync(_directory, nodes: 3);
        var admins = _cluster.Admins;
        await _cluster.WaitUntilAllUpAsync();

        var (code, stdout, stderr) = await SamplerProcess.RunAsync(_directory, "cluster", "show", "--admin", admins[1].ToString());
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Contains("3 members, 3 Up", stdout, StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            Assert.Contains(_cluster.AddressOf(i), stdout, StringComparison.Ordinal);
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
        (code, stdout, stderr) = await SamplerProcess.RunAsync(_directory, "cluster", "down", _cluster.AddressOf(2), "--admin", admins[0].ToString());
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(3, await _cluster.Nodes[2].WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("the cluster downed this node", _cluster.Nodes[2].StandardError, StringComparison.Ordinal);
        await LoopbackCluster.WaitForMembersAsync(admins[0], up: 2, total: 2);

        // Asked to leave: it leaves gracefully and exits 0; so does SIGTERM, the last one.
        (code, stdout, stderr) = await SamplerProcess.RunAsync(_directory, "cluster", "leave", "--admin", admins[1].ToString());
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(0, await _cluster.Nodes[1].WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await LoopbackCluster.WaitForMembersAsync(admins[0], up: 1, total: 1);
        Assert.Equal(0, await _cluster.Nodes[0].TerminateAsync(TimeSpan.FromSeconds(60)));
    }
}
