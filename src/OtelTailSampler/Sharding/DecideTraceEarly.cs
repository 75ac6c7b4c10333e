namespace OtelTailSampler.Sharding;

/// <summary>Asks a trace shard on the same node to decide one of its traces now: the node is over its memory limits, and this trace arrived first.</summary>
internal sealed record DecideTraceEarly(TraceId TraceId);
