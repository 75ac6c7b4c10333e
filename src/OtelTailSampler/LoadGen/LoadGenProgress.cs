namespace OtelTailSampler.LoadGen;

/// <summary>A live reading of a run, for the progress line.</summary>
public sealed record LoadGenProgress(
    TimeSpan Elapsed,
    long SpansSent,
    long SpansAcknowledged,
    long ItemsRejected,
    long ItemsFailed,
    long Retries,
    int InFlight,
    TimeSpan AckLatencyP50,
    TimeSpan AckLatencyP99);
