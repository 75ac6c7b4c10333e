using Akka.DistributedData;

namespace OtelTailSampler.Decisions;

/// <summary>
/// The DData key of one shard group's decisions in one position of the slot ring; its id is stable across
/// nodes and restarts (see <see cref="DecisionKeys.KeyId"/>), and two keys are equal when their ids are.
/// </summary>
public sealed class ReplicatedDecisionsKey : Key<ReplicatedDecisions>
{
    public ReplicatedDecisionsKey(string id)
        : base(id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
    }
}
