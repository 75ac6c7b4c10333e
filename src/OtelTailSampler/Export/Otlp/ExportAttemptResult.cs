namespace OtelTailSampler.Export.Otlp;

/// <summary>The outcome of one send attempt, as the retry loop needs it.</summary>
internal sealed record ExportAttemptResult
{
    private ExportAttemptResult(ExportOutcome outcome, string detail)
    {
        Outcome = outcome;
        Detail = detail;
    }

    public ExportOutcome Outcome { get; }

    /// <summary>What happened, for logs: "gRPC UNAVAILABLE: ...", "HTTP 400: ...".</summary>
    public string Detail { get; }

    /// <summary>A delay the server asked for (RetryInfo, Retry-After); replaces the backoff interval.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>Items the server rejected in a partial success.</summary>
    public long RejectedItems { get; private init; }

    /// <summary>The partial_success error_message, when the server set one.</summary>
    public string? PartialSuccessMessage { get; private init; }

    public static ExportAttemptResult Success(long rejectedItems = 0, string? partialSuccessMessage = null) =>
        new(ExportOutcome.Success, "accepted")
        {
            RejectedItems = rejectedItems,
            PartialSuccessMessage = string.IsNullOrEmpty(partialSuccessMessage) ? null : partialSuccessMessage,
        };

    public static ExportAttemptResult Retryable(string detail, TimeSpan? retryAfter = null) =>
        new(ExportOutcome.Retryable, detail) { RetryAfter = retryAfter };

    public static ExportAttemptResult Permanent(string detail) => new(ExportOutcome.Permanent, detail);
}
