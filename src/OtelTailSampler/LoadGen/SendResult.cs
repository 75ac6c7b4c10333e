namespace OtelTailSampler.LoadGen;

/// <summary>The outcome of one attempt, with what the target said about it.</summary>
internal readonly record struct SendResult(SendOutcome Outcome, long RejectedItems = 0, TimeSpan? RetryAfter = null, string? Detail = null)
{
    public static SendResult Accepted(long rejectedItems, string? message) => new(SendOutcome.Accepted, rejectedItems, null, message);

    public static SendResult Refused(string detail, TimeSpan? retryAfter) => new(SendOutcome.Refused, 0, retryAfter, detail);

    public static SendResult Rejected(string detail) => new(SendOutcome.Rejected, 0, null, detail);

    public static SendResult Failed(string detail) => new(SendOutcome.Failed, 0, null, detail);
}
