namespace OtelTailSampler.Sharding;

/// <summary>
/// Asked of a trace shard, answered once it has applied every part sent before the question (the handlers of its
/// pending writes included) and handled its export results.
/// </summary>
internal sealed class TraceShardIdle
{
    public static TraceShardIdle Question { get; } = new();

    public static TraceShardIdle Answer { get; } = new();

    private TraceShardIdle()
    {
    }
}
