namespace OtelTailSampler.Hosting;

/// <summary>sampler.node: this node's identity and local storage.</summary>
public sealed record NodeOptions
{
    /// <summary>Where the node keeps its journal and, by default, its file export.</summary>
    public string DataDir { get; init; } = "./data";

    /// <summary>How long stopping may spend delivering what is still queued; with a journal, the rest stays in it.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
