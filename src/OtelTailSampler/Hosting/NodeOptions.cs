namespace OtelTailSampler.Hosting;

/// <summary>sampler.node: this node's identity and local storage.</summary>
public sealed record NodeOptions
{
    /// <summary>Where the node keeps its journal and, by default, its file export.</summary>
    public string DataDir { get; init; } = "./data";
}
