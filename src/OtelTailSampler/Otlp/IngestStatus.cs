namespace OtelTailSampler.Otlp;

/// <summary>What a receiver tells its client, independent of transport.</summary>
public enum IngestStatus
{
    /// <summary>Taken (possibly with some items rejected through partial success).</summary>
    Accepted,

    /// <summary>The request as a whole is malformed: HTTP 400 / gRPC INVALID_ARGUMENT.</summary>
    Malformed,

    /// <summary>The node cannot take more now: HTTP 503 / gRPC UNAVAILABLE, client retries.</summary>
    Overloaded,
}
