namespace OtelTailSampler.Sharding;

/// <summary>A kept trace (or late span) handed to the exporter and not yet confirmed delivered.</summary>
internal sealed record PendingExport(byte[] Request, int Spans, int Shard, long FirstSequence, ShardDecisionRecord Decision, bool LateSpan, long LastSequence = 0);
