namespace OtelTailSampler.Sharding;

/// <summary>Where a trace is in its shard, as the admin API reports it.</summary>
public enum TraceStatus
{
    /// <summary>Neither buffered nor in the decision cache: never seen here, or its decision was forgotten.</summary>
    Unknown,

    /// <summary>Collecting spans; not decided yet.</summary>
    Buffered,

    Kept,

    Dropped,
}
