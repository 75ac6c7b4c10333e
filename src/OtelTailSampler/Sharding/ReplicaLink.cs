using OtelTailSampler.Decisions;

namespace OtelTailSampler.Sharding;

/// <summary>
/// A trace shard's link to the replicated decisions: it collects the shard's decisions and publishes them once a
/// tick (or at once, to every member, on a hand-off), and it knows whether the shard came from another node
/// lately, so that its unknown traces may have been decided there. Owned by the shard's actor.
/// </summary>
internal sealed class ReplicaLink
{
    private readonly DecisionReplica _replica;
    private readonly TimeProvider _time;
    private readonly long _ttlTicks;
    private readonly long[] _consultUntil;
    private readonly List<(int Shard, TraceId TraceId, TraceDecision Decision)> _unpublished = [];

    /// <param name="ttlTicks">The replica's TTL in ticks of <paramref name="time"/>'s timestamps.</param>
    public ReplicaLink(DecisionReplica replica, TimeProvider time, int shards, long ttlTicks)
    {
        _replica = replica;
        _time = time;
        _ttlTicks = ttlTicks;
        _consultUntil = new long[shards];
    }

    /// <summary>Collects a decision the shard made, if it is one the cluster replicates.</summary>
    public void Decided(int shard, TraceId traceId, ShardDecisionRecord record)
    {
        var decision = record.Kept ? TraceDecision.Keep(record.PolicyIndex, record.AdjustedCount) : TraceDecision.Dropped;
        if (_replica.Replicates(decision))
        {
            _unpublished.Add((shard, traceId, decision));
        }
    }

    /// <summary>
    /// Publishes what was collected since the last call: one message, not one a trace. With <paramref name="written"/>
    /// (a hand-off) the decisions go to every member and it completes once they have them.
    /// </summary>
    public void Publish(TaskCompletionSource? written = null)
    {
        var decisions = _unpublished.Count == 0 ? [] : _unpublished.ToArray();
        _unpublished.Clear();
        _replica.Publish(decisions, written);
    }

    /// <summary>The shard has come here from another node: for the next TTL its unknown traces are looked up.</summary>
    public void ShardArrived(int shard) => _consultUntil[shard] = _time.GetTimestamp() + _ttlTicks;

    /// <summary>Whether <paramref name="shard"/> came here lately, as of <paramref name="now"/> (a timestamp of the node's clock).</summary>
    public bool Consults(int shard, long now) => now < _consultUntil[shard];

    /// <summary>The replicated decision of a trace of <paramref name="shard"/>.</summary>
    public bool TryGetDecision(int shard, TraceId traceId, out TraceDecision decision) => _replica.TryGetDecision(shard, traceId, out decision);
}
