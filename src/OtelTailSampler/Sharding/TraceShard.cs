using Akka.Actor;
using Akka.Persistence;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The sharded entity: one trace shard, living on the node the shard coordinator gave it to, and the only owner of
/// its traces. It is event-sourced: a part's spans are persisted as one SpansAppended event (the request's bytes,
/// stored once per commit however many shards refer to them) and applied in the persist handler, which then
/// acknowledges the part; TraceKept and TraceCompleted follow each trace's fate; recovery replays the shard's
/// events, and DeleteMessages drops those no trace needs any more. Writes are PersistAsync, so a shard keeps
/// taking parts while earlier ones commit, and the journal plugin commits many shards' writes together.
/// </summary>
/// <remarks>
/// On hand-off to another member the shard decides its buffered traces, writes their decisions to every member
/// (the next owner follows them for late spans), waits for its kept traces to be delivered, deletes its events
/// and stops. Without a journal (sampler.journal.backend = none) nothing is persisted: parts are applied and
/// acknowledged at once, and a shard that stops decides what it still buffers.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "An actor's resources end in PostStop, which disposes them.")]
internal sealed partial class TraceShard : UntypedPersistentActor
{
    /// <summary>The journal plugin of shards without a journal: nothing is written to it, and recovery is skipped.</summary>
    public const string NoJournalPluginId = "akka.persistence.journal.inmem";

    private const int TicksBetweenTruncations = 10;

    private readonly int _shard;
    private readonly TraceShardContext _node;
    private readonly Func<bool> _nextHomeExists;
    private readonly bool _mayHaveLivedElsewhere;
    private readonly ShardTraces _traces;
    private readonly Queue<PendingPart> _persisting = new();
    private readonly List<IActorRef> _idleWaiters = [];
    private readonly Action<SegmentEvent> _onSpansPersisted;
    private readonly Action<SegmentEvent> _onDecisionPersisted = static _ => { };
    private JournalReplay? _recovery;
    private long _truncatedUpTo;
    private bool _truncating;
    private int _ticksSinceTruncation;
    private HandOff _handOff;

    /// <param name="nextHomeExists">Whether another member is Up to take the shard over when it is handed off.</param>
    /// <param name="mayHaveLivedElsewhere">
    /// Whether the shard may have been hosted by another node before: true in a cluster configured with seeds, or
    /// when another member is Up; false for a node alone since it formed its cluster of one.
    /// </param>
    public TraceShard(int shard, TraceShardContext node, Func<bool> nextHomeExists, bool mayHaveLivedElsewhere)
    {
        _shard = shard;
        _node = node;
        _nextHomeExists = nextHomeExists;
        _mayHaveLivedElsewhere = mayHaveLivedElsewhere;
        PersistenceId = ShardJournal.PersistenceId(shard);
        JournalPluginId = node.Journaled ? SegmentJournalPlugin.PluginId : NoJournalPluginId;
        _traces = new ShardTraces(shard, node, Self, Persist);
        _onSpansPersisted = OnSpansPersisted;
        _recovery = node.Journaled ? new JournalReplay(new ShardRouter(node.Shards, 1)) : null;
    }

    public override string PersistenceId { get; }

    public override Recovery Recovery => _node.Journaled ? Recovery.Default : Recovery.None;

    public static Props Props(int shard, TraceShardContext node, Func<bool> nextHomeExists, bool mayHaveLivedElsewhere) =>
        Akka.Actor.Props.Create(() => new TraceShard(shard, node, nextHomeExists, mayHaveLivedElsewhere));

    /// <summary>Whether a member other than this one is Up in <paramref name="system"/>'s cluster.</summary>
    public static bool OtherMemberUp(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        return cluster.State.Members.Any(member => member.Status == Akka.Cluster.MemberStatus.Up && !member.Address.Equals(cluster.SelfAddress));
    }

    protected override void PreStart()
    {
        _node.Directory.Started(_shard, Self);

        // The shard may have lived on another node: its late spans look for what was decided there.
        if (_mayHaveLivedElsewhere)
        {
            _traces.ArrivedFromElsewhere();
        }

        base.PreStart();
    }

    protected override void PostStop()
    {
        _node.Directory.Stopped(_shard, Self);

        // Without a journal nothing else holds these traces: they are decided and handed to the exporter now.
        _traces.Stopped(decideBuffered: !_node.Journaled);
        foreach (var part in _persisting)
        {
            part.Batch.ReleaseAll();
        }

        _persisting.Clear();
        base.PostStop();
    }

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SegmentEvent stored:
                _recovery!.Add(new JournalEvent(PersistenceId, LastSequenceNr, stored.EventType, stored.Payload, stored.WrittenAtUnixMs));
                break;
            case RecoveryCompleted:
                if (_recovery is { } recovery)
                {
                    _recovery = null;
                    _traces.Recover(recovery, LastSequenceNr);
                    if (recovery.RecoveredTraces > 0)
                    {
                        LogRecovered(_node.Logger, _shard, recovery.RecoveredTraces);
                    }
                }

                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case TraceShardSpans part:
                Accept(part);
                break;
            case TraceShardTick:
                _traces.Tick();
                TruncateWhenDue();
                ContinueHandOff();
                break;
            case ShardTraces.ExportsDone:
                _traces.HandleExportResults();
                ContinueHandOff();
                break;
            case DecideTraceEarly early:
                _traces.DecideEarly(early.TraceId);
                break;
            case TraceLookup lookup:
                lookup.Answer.TrySetResult(_traces.StateOf(lookup.TraceId));
                break;
            case TraceShardIdle:
                var asker = Sender;
                DeferAsync(TraceShardIdle.Answer, answer =>
                {
                    _traces.HandleExportResults();

                    // A truncation under way is part of what was asked before: the answer waits for it.
                    if (_truncating)
                    {
                        _idleWaiters.Add(asker);
                    }
                    else
                    {
                        asker.Tell(answer);
                    }
                });
                break;
            case WakeTraceShard wake:
                // Recovered before this is handled: commands wait for recovery.
                Sender.Tell(wake);
                break;
            case TraceShardHandOff:
                BeginHandOff();
                break;
            case HandOffPublished:
                _handOff = _handOff with { Published = true };
                ContinueHandOff();
                break;
            case DeleteMessagesSuccess deleted:
                _truncatedUpTo = Math.Max(_truncatedUpTo, deleted.ToSequenceNr);
                TruncationDone();
                if (_handOff.Deleting)
                {
                    Context.Stop(Self);
                }

                break;
            case DeleteMessagesFailure failed:
                TruncationDone();
                LogTruncationFailed(_node.Logger, _shard, failed.Cause.Message);
                if (_handOff.Deleting)
                {
                    // The events stay for the shard's next start on this node, which decides them again.
                    Context.Stop(Self);
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The actor stops (the journal's state is unknown); every part waiting for a write is refused now, so its
        // client retries at once rather than at forward-timeout. The shard starts again, from the journal, with the
        // next part sent to it.
        LogPersistFailed(_node.Logger, _shard, sequenceNr, cause.Message);
        RefuseWaitingParts();
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        LogPersistFailed(_node.Logger, _shard, sequenceNr, cause.Message);
        if (@event is SegmentEvent { EventType: (int)ShardEventType.SpansAppended } && _persisting.TryDequeue(out var part))
        {
            part.Batch.ReleaseAll();
            part.Sender.Tell(new TraceShardAck(part.RequestId, false));
        }
    }

    private void Accept(TraceShardSpans part)
    {
        if (_node.RefuseParts() || _handOff.Deleting)
        {
            part.Batch.ReleaseAll();
            Sender.Tell(new TraceShardAck(part.RequestId, false));
            return;
        }

        if (!_node.Journaled)
        {
            _traces.Append(part.Batch, sequenceNr: 0);
            Sender.Tell(new TraceShardAck(part.RequestId, true));
            DecideWhileHandingOff();
            return;
        }

        // Persist before apply: the spans reach their traces, and the client its ack, once the event is committed.
        _persisting.Enqueue(new PendingPart(Sender, part.RequestId, part.Batch));
        PersistAsync(new SegmentEvent((int)ShardEventType.SpansAppended, part.Batch.Spans[0].Span.Request.Buffer), _onSpansPersisted);
    }

    private void OnSpansPersisted(SegmentEvent persisted)
    {
        var part = _persisting.Dequeue();
        _traces.Append(part.Batch, LastSequenceNr);
        part.Sender.Tell(new TraceShardAck(part.RequestId, true));
        DecideWhileHandingOff();
    }

    private void Persist(SegmentEvent decision) => PersistAsync(decision, _onDecisionPersisted);

    private void RefuseWaitingParts()
    {
        while (_persisting.TryDequeue(out var part))
        {
            part.Batch.ReleaseAll();
            part.Sender.Tell(new TraceShardAck(part.RequestId, false));
        }
    }

    // Every so often, drops the events that no buffered trace or pending export needs; one deletion at a time.
    private void TruncateWhenDue()
    {
        if (!_node.Journaled || _truncating || ++_ticksSinceTruncation < TicksBetweenTruncations)
        {
            return;
        }

        _ticksSinceTruncation = 0;
        var upTo = _traces.OldestSequenceNeeded() is { } oldest ? oldest - 1 : LastSequenceNr;
        if (upTo > _truncatedUpTo)
        {
            _truncating = true;
            DeleteMessages(upTo);
        }
    }

    private void TruncationDone()
    {
        _truncating = false;
        foreach (var waiter in _idleWaiters)
        {
            waiter.Tell(TraceShardIdle.Answer);
        }

        _idleWaiters.Clear();
    }

    private void BeginHandOff()
    {
        if (_handOff.Started)
        {
            return;
        }

        // The last member stopping has no next home for the shard: with a journal its traces stay in it for the next
        // start; without one they are decided as the shard stops.
        if (!_nextHomeExists())
        {
            Context.Stop(Self);
            return;
        }

        _handOff = new HandOff(Started: true, Published: false, Deleting: false);
        _traces.DecideAll(DecisionReason.Handoff);

        // Now rather than at the next tick, and to every member: the shard's next owner is about to start and will
        // look for them.
        _traces.PublishDecisions(toEveryMember: true).PipeTo(Self, success: () => HandOffPublished.Instance, failure: _ => HandOffPublished.Instance);
    }

    // Parts already in the mailbox when the hand-off began are still taken, journaled, and decided at once.
    private void DecideWhileHandingOff()
    {
        if (_handOff.Started)
        {
            _traces.DecideAll(DecisionReason.Handoff);
        }
    }

    // The shard stops once its decisions are out and its kept traces delivered; with a journal it deletes its
    // events first, after every pending write has been handled. Akka's handoff-timeout bounds the wait.
    private void ContinueHandOff()
    {
        if (!_handOff.Started || !_handOff.Published || _handOff.Deleting || !_traces.ExportsIdle)
        {
            return;
        }

        if (!_node.Journaled)
        {
            Context.Stop(Self);
            return;
        }

        _handOff = _handOff with { Deleting = true };
        DeferAsync(HandOffPublished.Instance, _ =>
        {
            _truncating = true;
            DeleteMessages(LastSequenceNr);
        });
    }

    [LoggerMessage(EventId = 45, Level = LogLevel.Information, Message = "Trace shard {Shard} recovered {Traces} traces from the journal")]
    private static partial void LogRecovered(ILogger logger, int shard, int traces);

    [LoggerMessage(EventId = 46, Level = LogLevel.Warning, Message = "Trace shard {Shard} could not journal its event {SequenceNr}: {Reason}; it stops and starts again from the journal")]
    private static partial void LogPersistFailed(ILogger logger, int shard, long sequenceNr, string reason);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "Trace shard {Shard} could not truncate its journal: {Reason}; a later round tries again")]
    private static partial void LogTruncationFailed(ILogger logger, int shard, string reason);

    private readonly record struct PendingPart(IActorRef Sender, long RequestId, SpanBatch Batch);

    private readonly record struct HandOff(bool Started, bool Published, bool Deleting);

    private sealed class HandOffPublished
    {
        public static HandOffPublished Instance { get; } = new();
    }
}
