using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace OtelTailSampler.Tests.Support;

/// <summary>
/// Real `otel-sampler` processes on their own loopback addresses (127.0.0.2, .3, ...), each seeded with all of
/// them, so that they form one Akka.NET cluster as a user's nodes do.
/// </summary>
public sealed class LoopbackCluster : IDisposable
{
    private readonly string _directory;

    private LoopbackCluster(string directory, string[] hosts, int[] clusterPorts)
    {
        _directory = directory;
        Hosts = hosts;
        ClusterPorts = clusterPorts;
    }

    public IReadOnlyList<string> Hosts { get; }

    public IReadOnlyList<int> ClusterPorts { get; }

    public List<SamplerProcess> Nodes { get; } = [];

    public List<Uri> Admins { get; } = [];

    /// <summary>Each node's OTLP/gRPC address, for an SDK exporter.</summary>
    public List<Uri> Grpc { get; } = [];

    public string Directory => _directory;

    /// <summary>The Akka address of node <paramref name="index"/>, as `cluster show` and `cluster down` name it.</summary>
    public string AddressOf(int index) => $"akka.tcp://otel-sampler@{Hosts[index]}:{ClusterPorts[index]}";

    /// <summary>Starts <paramref name="nodes"/> nodes and waits until each listens; <paramref name="environment"/> is added to each.</summary>
    public static async Task<LoopbackCluster> StartAsync(string directory, int nodes, IReadOnlyDictionary<string, string>? environment = null)
    {
        var hosts = Enumerable.Range(2, nodes).Select(i => $"127.0.0.{i}").ToArray();
        var cluster = new LoopbackCluster(directory, hosts, [.. hosts.Select(FreePort)]);
        var seeds = string.Join(",", hosts.Select((host, i) => $"{host}:{cluster.ClusterPorts[i]}"));
        for (var i = 0; i < nodes; i++)
        {
            var dataDir = Path.Combine(directory, $"node-{i + 1}");
            System.IO.Directory.CreateDirectory(dataDir);
            var variables = new Dictionary<string, string>
            {
                ["SAMPLER_OTLP_GRPC_ENDPOINT"] = $"{hosts[i]}:0",
                ["SAMPLER_OTLP_HTTP_ENDPOINT"] = $"{hosts[i]}:0",
                ["SAMPLER_ADMIN_ENDPOINT"] = $"{hosts[i]}:0",
                ["SAMPLER_CLUSTER_ENDPOINT"] = $"{hosts[i]}:{cluster.ClusterPorts[i]}",
                ["SAMPLER_CLUSTER_SEED_NODES"] = seeds,
            };
            foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            {
                variables[key] = value;
            }

            cluster.Nodes.Add(SamplerProcess.Start(dataDir, variables));
        }

        foreach (var (node, host) in cluster.Nodes.Zip(hosts))
        {
            var ports = await node.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            cluster.Admins.Add(new Uri($"http://{host}:{ports.Admin}"));
            cluster.Grpc.Add(new Uri($"http://{host}:{ports.Grpc}"));
        }

        return cluster;
    }

    /// <summary>Waits until the node behind <paramref name="admin"/> sees <paramref name="up"/> Up members (and <paramref name="total"/> in all).</summary>
    public static async Task WaitForMembersAsync(Uri admin, int up, int? total = null)
    {
        using var client = new HttpClient();
        var last = "";
        await Poll.UntilAsync(async () =>
        {
            last = await client.GetStringAsync(new Uri(admin, "/cluster"));
            using var document = JsonDocument.Parse(last);
            var members = document.RootElement.GetProperty("members").EnumerateArray().ToList();
            return members.Count(member => member.GetProperty("status").GetString() == "Up") == up && (total is null || members.Count == total);
        }, $"{up} Up members at {admin}", () => last, TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits until every node sees all of them Up.</summary>
    public async Task WaitUntilAllUpAsync()
    {
        foreach (var admin in Admins)
        {
            await WaitForMembersAsync(admin, up: Nodes.Count);
        }
    }

    /// <summary>
    /// Waits until the shard coordinator knows every node's `traces` region. Shards are allocated at their first
    /// message; traffic sent before then would put them all on the regions already known, and the rebalancing that
    /// follows hands them off (deciding their traces early).
    /// </summary>
    public async Task WaitForShardRegionsAsync()
    {
        using var client = new HttpClient();
        var last = "";
        await Poll.UntilAsync(async () =>
        {
            using var response = await client.GetAsync(new Uri(Admins[0], "/cluster/shards"));
            last = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            using var document = JsonDocument.Parse(last);
            return document.RootElement.GetProperty("members").GetArrayLength() == Nodes.Count;
        }, $"{Nodes.Count} shard regions", () => last, TimeSpan.FromSeconds(60));
    }

    /// <summary>Every node's /metrics, parsed.</summary>
    public async Task<List<PrometheusText>> ScrapeAsync()
    {
        using var client = new HttpClient();
        var scrapes = new List<PrometheusText>();
        foreach (var admin in Admins)
        {
            scrapes.Add(PrometheusText.Parse(await client.GetStringAsync(new Uri(admin, "/metrics"))));
        }

        return scrapes;
    }

    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            node.Dispose();
        }
    }

    /// <summary>A port free on <paramref name="host"/> now, for an address that must be written down before the node binds it (a seed).</summary>
    public static int FreePort(string host)
    {
        using var listener = new TcpListener(IPAddress.Parse(host), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
