namespace OtelTailSampler.Sharding;

/// <summary>Why a trace was decided when it was.</summary>
public enum DecisionReason
{
    /// <summary>decision-wait passed since its first span.</summary>
    Timer,

    /// <summary>The root span arrived and root-settle-delay passed.</summary>
    Root,

    /// <summary>It reached max-spans-per-trace or max-bytes-per-trace.</summary>
    Size,

    /// <summary>The node's buffers reached max-buffered-bytes or max-traces; oldest traces go first.</summary>
    MemoryPressure,

    /// <summary>The node is stopping.</summary>
    Shutdown,

    /// <summary>The trace's shard moved to another node, which follows the decision for late spans.</summary>
    Handoff,
}
