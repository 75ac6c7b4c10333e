namespace OtelTailSampler.LoadGen;

/// <summary>
/// What happened to one signal's items. Every item sent ends up in exactly one of acknowledged, rejected
/// (refused by the target, in a partial success or for good) and failed (no answer after every attempt, or
/// the run was cancelled), so <c>Sent = Acknowledged + Rejected + Failed</c> once the run has ended.
/// </summary>
public sealed record SignalTotals(long Requests, long Sent, long Acknowledged, long Rejected, long Failed);
