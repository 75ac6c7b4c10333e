namespace OtelTailSampler.Admin;

/// <summary>sampler.admin: the node's admin HTTP API: health, readiness, cluster inspection and the guarded cluster operations.</summary>
public sealed record AdminOptions
{
    /// <summary>Listen address; loopback by default because the API can change the cluster.</summary>
    public string Endpoint { get; init; } = "127.0.0.1:13133";

    /// <summary>
    /// The bearer token the mutating endpoints (POST /cluster/leave, /cluster/down) require when the admin endpoint is
    /// not loopback; empty: they are refused there.
    /// </summary>
    public string Token { get; init; } = "";
}
