namespace OtelTailSampler.Sharding;

/// <summary>
/// A trace as its worker sees it: buffered (with its spans so far), kept (by which policy, standing for how many
/// traces), dropped, or unknown.
/// </summary>
public sealed record TraceState(TraceStatus Status, int BufferedSpans = 0, string? Policy = null, double AdjustedCount = 0);
