namespace OtelTailSampler.Sharding;

/// <summary>The key of the `traces` shard region in Akka.Hosting's actor registry.</summary>
public sealed class TraceShardRegion
{
    /// <summary>The region's type name: fixed, since every node must start the same one.</summary>
    public const string TypeName = "traces";

    private TraceShardRegion()
    {
    }
}
