namespace OtelTailSampler.LoadGen;

/// <summary>How the target answered one attempt to send a request.</summary>
internal enum SendOutcome
{
    /// <summary>Accepted (maybe partially: see <see cref="SendResult.RejectedItems"/>).</summary>
    Accepted,

    /// <summary>Pushed back with an answer OTLP says to retry: HTTP 429/502/503/504, gRPC UNAVAILABLE and the like.</summary>
    Refused,

    /// <summary>Refused for good: HTTP 400, gRPC INVALID_ARGUMENT and every other non-retryable answer.</summary>
    Rejected,

    /// <summary>No answer: the connection failed or broke, or the attempt timed out.</summary>
    Failed,
}
