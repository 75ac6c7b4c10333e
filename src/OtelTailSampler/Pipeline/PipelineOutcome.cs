namespace OtelTailSampler.Pipeline;

/// <summary>How the pipeline answered a request.</summary>
public enum PipelineOutcome
{
    /// <summary>Taken: the receiver acknowledges its client.</summary>
    Accepted,

    /// <summary>A bounded buffer is full: the client should retry later (HTTP 503 / gRPC UNAVAILABLE).</summary>
    Overloaded,
}
