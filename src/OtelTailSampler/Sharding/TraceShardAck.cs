namespace OtelTailSampler.Sharding;

/// <summary>The owner's answer for one part: journaled and taken (true), or refused (journal full or failing).</summary>
public sealed record TraceShardAck(long RequestId, bool Accepted);
