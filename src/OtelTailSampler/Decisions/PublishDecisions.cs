using OtelTailSampler.Sharding;

namespace OtelTailSampler.Decisions;

/// <summary>
/// Decisions a trace shard made in slot <paramref name="Epoch"/>, for the <see cref="DecisionReplicator"/> to write:
/// locally, or, when <paramref name="Written"/> is given (a hand-off), to every member, completing it once they
/// have them or the hand-off write timeout passed.
/// </summary>
internal sealed record PublishDecisions(long Epoch, (int Shard, TraceId TraceId, TraceDecision Decision)[] Decisions, TaskCompletionSource? Written = null);
