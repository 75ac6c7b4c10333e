using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OtelTailSampler.Cli;

/// <summary>
/// The node processes of one bench variant: one node on 127.0.0.1, or a cluster of several on 127.0.0.2, .3, ...,
/// each seeded with all of them and ready (Up, its journal recovered) before any load. CPU time is summed over
/// the nodes; peak memory is the largest node's.
/// </summary>
internal sealed class BenchCluster : IDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private BenchCluster(List<(NodeProcess Process, BenchNode Node)> members) => Members = members;

    private List<(NodeProcess Process, BenchNode Node)> Members { get; }

    public IEnumerable<BenchNode> Nodes => Members.Select(member => member.Node);

    /// <summary>Why a node did not start, or null.</summary>
    public string? Failure { get; private set; }

    public TimeSpan CpuTime => Members.Aggregate(TimeSpan.Zero, (sum, member) => sum + member.Process.CpuTime);

    public long PeakResidentBytes => Members.Max(member => member.Process.PeakResidentBytes);

    public static async Task<BenchCluster> StartAsync(int nodes, string directory, IReadOnlyDictionary<string, string> environment, string? configFile,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var hosts = nodes == 1 ? ["127.0.0.1"] : Enumerable.Range(2, nodes).Select(i => string.Create(CultureInfo.InvariantCulture, $"127.0.0.{i}")).ToArray();
        var clusterPorts = hosts.Select(FreePort).ToArray();
        var seeds = nodes == 1 ? "" : string.Join(",", hosts.Select((host, i) => string.Create(CultureInfo.InvariantCulture, $"{host}:{clusterPorts[i]}")));
        var members = new List<(NodeProcess, BenchNode)>();
        var cluster = new BenchCluster(members);
        var processes = new List<NodeProcess>();
        for (var i = 0; i < nodes; i++)
        {
            var own = new Dictionary<string, string>(environment)
            {
                ["SAMPLER_OTLP_GRPC_ENDPOINT"] = $"{hosts[i]}:0",
                ["SAMPLER_OTLP_HTTP_ENDPOINT"] = $"{hosts[i]}:0",
                ["SAMPLER_ADMIN_ENDPOINT"] = $"{hosts[i]}:0",
            };
            if (nodes > 1)
            {
                own["SAMPLER_CLUSTER_ENDPOINT"] = string.Create(CultureInfo.InvariantCulture, $"{hosts[i]}:{clusterPorts[i]}");
                own["SAMPLER_CLUSTER_SEED_NODES"] = seeds;
                own["SAMPLER_DATA_DIR"] = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"data-{i + 1}"));
            }

            processes.Add(NodeProcess.Start(directory, own, configFile));
        }

        for (var i = 0; i < nodes; i++)
        {
            try
            {
                var (grpc, http, admin) = await processes[i].WaitUntilListeningWithAdminAsync(timeout, cancellationToken);
                var endpoint = nodes > 1 ? string.Create(CultureInfo.InvariantCulture, $"{hosts[i]}:{clusterPorts[i]}") : null;
                members.Add((processes[i], new BenchNode(hosts[i], grpc, http, admin, endpoint)));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                cluster.Failure = e.Message;
                foreach (var process in processes.Skip(i))
                {
                    process.Dispose();
                }

                return cluster;
            }
        }

        // A node with seeds listens before it has joined; the load starts once every member is ready, so that the
        // shards spread over all of them from the first request.
        var deadline = DateTime.UtcNow + timeout;
        foreach (var (_, node) in members)
        {
            while (!await ReadyAsync(node, cancellationToken))
            {
                if (DateTime.UtcNow > deadline)
                {
                    cluster.Failure = $"{node.Host} was not ready (GET /readyz) within {timeout.TotalSeconds:0}s";
                    return cluster;
                }

                await Task.Delay(200, cancellationToken);
            }
        }

        return cluster;
    }

    /// <summary>Spans and bytes each node has forwarded to each other so far, by (from, to) host; empty for one node.</summary>
    public async Task<Dictionary<(string From, string To), (double Spans, double Bytes)>> ReadLinksAsync(CancellationToken cancellationToken)
    {
        var links = new Dictionary<(string From, string To), (double Spans, double Bytes)>();
        var hostOf = Nodes.Where(node => node.Cluster is not null).ToDictionary(node => node.Cluster!, node => node.Host, StringComparer.Ordinal);
        if (hostOf.Count == 0)
        {
            return links;
        }

        foreach (var node in Nodes)
        {
            var counters = await ForwardingCounters.ReadAsync(new Uri($"http://{node.Host}:{node.Admin}"), cancellationToken);
            foreach (var (peer, counted) in counters)
            {
                links[(node.Host, hostOf.GetValueOrDefault(peer, peer))] = counted;
            }
        }

        return links;
    }

    public async Task StopAsync(TimeSpan timeout) => await Task.WhenAll(Members.Select(member => member.Process.StopAsync(timeout)));

    public void Dispose()
    {
        foreach (var (process, _) in Members)
        {
            process.Dispose();
        }
    }

    private static async Task<bool> ReadyAsync(BenchNode node, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://{node.Host}:{node.Admin}/readyz"), cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static int FreePort(string host)
    {
        using var listener = new TcpListener(IPAddress.Parse(host), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
