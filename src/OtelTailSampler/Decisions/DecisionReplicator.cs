using Akka.Actor;
using Akka.DistributedData;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Decisions;

/// <summary>
/// The node's one conversation with Akka's Replicator about decisions. It writes what the shard workers publish,
/// one Update per key with WriteLocal (Akka's delta propagation spreads it), and subscribes to every key so that
/// the <see cref="DecisionReplica"/> always holds the newest state this node has of each.
/// </summary>
internal sealed partial class DecisionReplicator : ReceiveActor
{
    private readonly DecisionReplica _replica;
    private readonly IActorRef _replicator;
    private readonly ILogger _logger;
    private readonly Dictionary<ReplicatedDecisionsKey, int> _keyIndex;
    private readonly Dictionary<ReplicatedDecisionsKey, List<KeyValuePair<TraceId, TraceDecision>>> _byKey = [];

    public DecisionReplicator(DecisionReplica replica, IActorRef replicator, ILogger logger)
    {
        _replica = replica;
        _replicator = replicator;
        _logger = logger;
        var keys = replica.Keys.AllKeys;
        _keyIndex = new Dictionary<ReplicatedDecisionsKey, int>(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            _keyIndex[keys[i]] = i;
        }

        Receive<PublishDecisions>(Publish);
        Receive<Changed>(changed =>
        {
            if (changed.Key is ReplicatedDecisionsKey key && _keyIndex.TryGetValue(key, out var index))
            {
                _replica.Observe(index, changed.Get(key));
            }
        });
        Receive<UpdateSuccess>(success => (success.Request as HandOffWrite)?.KeyDone());
        Receive<IUpdateFailure>(failure =>
        {
            LogUpdateFailed(failure.Key.Id, failure.GetType().Name);
            (failure.Request as HandOffWrite)?.KeyDone();
        });
    }

    public static Props Props(DecisionReplica replica, IActorRef replicator, ILogger logger) =>
        Akka.Actor.Props.Create(() => new DecisionReplicator(replica, replicator, logger));

    protected override void PreStart()
    {
        foreach (var key in _replica.Keys.AllKeys)
        {
            _replicator.Tell(Dsl.Subscribe(key, Self));
        }
    }

    private void Publish(PublishDecisions message)
    {
        var keys = _replica.Keys;
        foreach (var (shard, traceId, decision) in message.Decisions)
        {
            var key = keys.KeyForShard(shard, message.Epoch);
            if (!_byKey.TryGetValue(key, out var entries))
            {
                _byKey[key] = entries = [];
            }

            entries.Add(new KeyValuePair<TraceId, TraceDecision>(traceId, decision));
        }

        var epoch = message.Epoch;
        var handOff = message.Written is { } written ? new HandOffWrite(written, _byKey.Values.Count(entries => entries.Count > 0)) : null;
        IWriteConsistency consistency = handOff is null ? WriteLocal.Instance : new WriteAll(_replica.HandOffWriteTimeout);
        foreach (var (key, entries) in _byKey)
        {
            if (entries.Count == 0)
            {
                continue;
            }

            // The Replicator runs the modify function later, on its own thread, so it gets its own copy.
            var batch = entries.ToArray();
            entries.Clear();
            _replicator.Tell(Dsl.Update(key, ReplicatedDecisions.Empty, consistency, handOff, state => state.AddRange(epoch, batch)));
        }
    }

    // The keys of one hand-off's decisions still being written to every member; the hand-off goes on when none is left.
    private sealed class HandOffWrite(TaskCompletionSource written, int keys)
    {
        private int _left = keys;

        public void KeyDone()
        {
            if (--_left == 0)
            {
                written.TrySetResult();
            }
        }
    }

    [LoggerMessage(EventId = 80, Level = LogLevel.Warning, Message = "Writing replicated decisions to {Key} failed: {Failure}")]
    private partial void LogUpdateFailed(string key, string failure);
}
