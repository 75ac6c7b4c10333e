namespace OtelTailSampler.Admin;

/// <summary>sampler.admin: the node's admin HTTP API (health now; cluster inspection later).</summary>
public sealed record AdminOptions
{
    /// <summary>Listen address; loopback by default because the API can change the cluster.</summary>
    public string Endpoint { get; init; } = "127.0.0.1:13133";
}
