using Akka.Actor;
using Akka.DistributedData;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Decisions;

/// <summary>
/// The node's one conversation with Akka's Replicator about decisions. It gathers what the node's trace shards
/// publish (each once a tick) for <see cref="FlushInterval"/>, then writes one Update per key with WriteLocal
/// (Akka's delta propagation spreads it); a hand-off's decisions are written at once, to every member. It
/// subscribes to every key so that the <see cref="DecisionReplica"/> always holds the newest state this node has.
/// </summary>
internal sealed partial class DecisionReplicator : ReceiveActor, IWithTimers
{
    /// <summary>How long published decisions are gathered: a hundred shards' ticks make one Update per key, not a hundred.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    private readonly DecisionReplica _replica;
    private readonly IActorRef _replicator;
    private readonly ILogger _logger;
    private readonly Dictionary<ReplicatedDecisionsKey, int> _keyIndex;
    private readonly Dictionary<ReplicatedDecisionsKey, (long Epoch, List<KeyValuePair<TraceId, TraceDecision>> Entries)> _byKey = [];

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
        Receive<Flush>(_ => WriteGathered(handOff: null));
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

    public ITimerScheduler Timers { get; set; } = null!;

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
            if (!_byKey.TryGetValue(key, out var gathered))
            {
                gathered = (message.Epoch, []);
            }
            else if (gathered.Epoch != message.Epoch)
            {
                // The key's slot came round again: what was gathered for its last epoch is written first.
                Write(key, gathered.Epoch, gathered.Entries, WriteLocal.Instance, handOff: null);
                gathered = (message.Epoch, []);
            }

            gathered.Entries.Add(new KeyValuePair<TraceId, TraceDecision>(traceId, decision));
            _byKey[key] = gathered;
        }

        if (message.Written is { } written)
        {
            WriteGathered(new HandOffWrite(written, _byKey.Values.Count(gathered => gathered.Entries.Count > 0)));
        }
        else if (!Timers.IsTimerActive(nameof(Flush)))
        {
            Timers.StartSingleTimer(nameof(Flush), Flush.Instance, FlushInterval);
        }
    }

    private void WriteGathered(HandOffWrite? handOff)
    {
        IWriteConsistency consistency = handOff is null ? WriteLocal.Instance : new WriteAll(_replica.HandOffWriteTimeout);
        foreach (var (key, gathered) in _byKey)
        {
            if (gathered.Entries.Count > 0)
            {
                Write(key, gathered.Epoch, gathered.Entries, consistency, handOff);
            }
        }

        _byKey.Clear();
    }

    private void Write(ReplicatedDecisionsKey key, long epoch, List<KeyValuePair<TraceId, TraceDecision>> entries, IWriteConsistency consistency, HandOffWrite? handOff)
    {
        // The Replicator runs the modify function later, on its own thread, so it gets its own copy.
        var batch = entries.ToArray();
        entries.Clear();
        _replicator.Tell(Dsl.Update(key, ReplicatedDecisions.Empty, consistency, handOff, state => state.AddRange(epoch, batch)));
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

    private sealed class Flush
    {
        public static Flush Instance { get; } = new();
    }

    [LoggerMessage(EventId = 80, Level = LogLevel.Warning, Message = "Writing replicated decisions to {Key} failed: {Failure}")]
    private partial void LogUpdateFailed(string key, string failure);
}
