namespace OtelTailSampler.Sharding;

/// <summary>
/// Sent through the shard region at start to every shard the journal holds events of, so that the shard recovers
/// them (its timers running from when its spans first arrived, its kept traces exported again) without waiting for
/// new spans. Answered with <see cref="TraceShardIdle.Answer"/> once recovered.
/// </summary>
public sealed record WakeTraceShard(int Shard);
