using Akka.Actor;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Decisions;

/// <summary>
/// This node's view of the replicated decision set, and the way trace shards add to it. The
/// <see cref="DecisionReplicator"/> actor owns the Replicator conversation and puts each key's latest state here;
/// trace shards read it from their own threads. Each state is immutable, so a reader sees one whole state of a key or
/// the next, never a torn one; nothing here is mutated in place.
/// </summary>
public sealed class DecisionReplica
{
    private readonly DecisionKeys _keys;
    private readonly TimeProvider _time;
    private readonly ReplicatedDecisions[] _states;
    private volatile IActorRef? _replicator;

    public DecisionReplica(DecisionsOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _keys = options.Keys();
        _time = time;
        Replication = options.Replicate;
        HandOffWriteTimeout = options.HandOffWriteTimeout;
        _states = new ReplicatedDecisions[_keys.AllKeys.Count];
        Array.Fill(_states, ReplicatedDecisions.Empty);
    }

    public DecisionKeys Keys => _keys;

    public DecisionReplication Replication { get; }

    public TimeSpan HandOffWriteTimeout { get; }

    /// <summary>How long a shard's new owner consults the replica after taking the shard over: the TTL.</summary>
    public TimeSpan Ttl => _keys.Ttl;

    /// <summary>Whether <paramref name="decision"/> is one this node replicates.</summary>
    public bool Replicates(TraceDecision decision) => Replication switch
    {
        DecisionReplication.All => true,
        DecisionReplication.Kept => decision.IsKept,
        _ => false,
    };

    /// <summary>From here on, published decisions go to <paramref name="replicator"/>; until then they stay local.</summary>
    internal void Attach(IActorRef replicator) => _replicator = replicator;

    /// <summary>
    /// Hands decisions made now to the cluster. The array becomes the message: the caller must not reuse it. With
    /// <paramref name="written"/> (a hand-off) they are written to every member, and it completes when that is done
    /// or has timed out; at once when there is nothing to write or no cluster to write to.
    /// </summary>
    public void Publish((int Shard, TraceId TraceId, TraceDecision Decision)[] decisions, TaskCompletionSource? written = null)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        if (decisions.Length > 0 && _replicator is { } replicator)
        {
            replicator.Tell(new PublishDecisions(_keys.SlotAt(_time.GetUtcNow()), decisions, written));
            return;
        }

        written?.TrySetResult();
    }

    /// <summary>
    /// The replicated decision of a trace of <paramref name="shard"/>, joined over the live slots of its group: a
    /// trace decided twice (two pieces) is kept if either piece was.
    /// </summary>
    public bool TryGetDecision(int shard, TraceId traceId, out TraceDecision decision)
    {
        var group = _keys.GroupOf(shard);
        var current = _keys.SlotAt(_time.GetUtcNow());
        var found = false;
        decision = default;
        for (var position = 0; position < _keys.RingSize; position++)
        {
            var state = Volatile.Read(ref _states[group * _keys.RingSize + position]);
            if (state.Count > 0 && _keys.IsLive(state.Epoch, current) && state.TryGetDecision(traceId, out var replicated))
            {
                decision = found ? TraceDecision.Join(decision, replicated) : replicated;
                found = true;
            }
        }

        return found;
    }

    /// <summary>The replicator's latest state of the key at <paramref name="keyIndex"/> in <see cref="DecisionKeys.AllKeys"/>.</summary>
    internal void Observe(int keyIndex, ReplicatedDecisions state) => Volatile.Write(ref _states[keyIndex], state);
}
