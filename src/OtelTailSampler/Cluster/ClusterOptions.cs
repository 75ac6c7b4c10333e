namespace OtelTailSampler.Cluster;

/// <summary>sampler.cluster: how this node joins the Akka.NET cluster of sampler nodes.</summary>
public sealed record ClusterOptions
{
    /// <summary>The Akka.Remote listen address, host:port; port 0 picks a free port (tests).</summary>
    public string Endpoint { get; init; } = "0.0.0.0:4319";

    /// <summary>The host peers reach this node by; empty means the endpoint's host, or the machine's name for 0.0.0.0.</summary>
    public string PublicHostname { get; init; } = "";

    /// <summary>Static seeds as host:port. Empty (and no discovery): the node joins itself, a cluster of one. Not with discovery.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>Membership through Akka's Cluster Bootstrap instead of seeds; <see cref="DiscoveryMethod.None"/> by default.</summary>
    public DiscoveryOptions Discovery { get; init; } = new();

    /// <summary>True when the node forms a cluster of one by joining itself: it has no seeds and no discovery.</summary>
    public bool JoinsItself => SeedNodes.Count == 0 && Discovery.Method == DiscoveryMethod.None;

    /// <summary>How long a member may stay unreachable before the split brain resolver downs it (its stable-after).</summary>
    public TimeSpan DownUnreachableAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a trace request may wait for every owner of its shards to journal its part before the client is told to retry.</summary>
    public TimeSpan ForwardTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Shard parts sent and not yet answered, on this node, above which clients get 503 / UNAVAILABLE.</summary>
    public int MaxForwardsInFlight { get; init; } = 20_000;

    /// <summary>
    /// The `akka { }` part of the configuration, rendered back to HOCON, passed to the actor system over the
    /// settings the node derives itself: advanced tuning stays in the one file.
    /// </summary>
    public string AkkaHocon { get; init; } = "";
}
