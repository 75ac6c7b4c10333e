namespace OtelTailSampler.Sharding;

/// <summary>The region's hand-off stop message: the trace shard decides what it buffers, then stops.</summary>
public sealed class TraceShardHandOff
{
    public static TraceShardHandOff Instance { get; } = new();

    private TraceShardHandOff()
    {
    }
}
