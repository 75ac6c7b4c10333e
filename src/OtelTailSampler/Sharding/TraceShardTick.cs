namespace OtelTailSampler.Sharding;

/// <summary>Tells a trace shard to decide what is due, publish its decisions and handle export results.</summary>
internal sealed class TraceShardTick
{
    public static TraceShardTick Instance { get; } = new();

    private TraceShardTick()
    {
    }
}
