using Akka.Actor;
using Akka.Persistence;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>
/// A persistent actor over <see cref="SegmentJournalPlugin"/> for the plugin's tests: persists what it is told,
/// keeps every event it has (recovered or persisted), and tells the reporter of failures and rejections.
/// </summary>
internal sealed class PersistingActor : UntypedPersistentActor
{
    private readonly List<Held> _events = [];
    private readonly IActorRef _reporter;

    public PersistingActor(string persistenceId, IActorRef reporter)
    {
        PersistenceId = persistenceId;
        _reporter = reporter;
        JournalPluginId = SegmentJournalPlugin.PluginId;
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, IActorRef reporter) => Akka.Actor.Props.Create(() => new PersistingActor(persistenceId, reporter));

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case PersistOne one:
                Persist(one.Event, e => Keep(e, replyTo: Sender));
                break;
            case PersistMany many:
                PersistAll(many.Events, e => Keep(e, replyTo: Sender));
                break;
            case Delete delete:
                DeleteMessages(delete.ToSequenceNr);
                break;
            case DeleteMessagesSuccess deleted:
                _reporter.Tell(deleted);
                break;
            case DeleteMessagesFailure failed:
                _reporter.Tell(failed);
                break;
            case GetEvents:
                Sender.Tell(new Events([.. _events], LastSequenceNr));
                break;
        }
    }

    protected override void OnRecover(object message)
    {
        if (message is not RecoveryCompleted)
        {
            _events.Add(new Held(LastSequenceNr, message));
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _reporter.Tell(new Failed(cause, sequenceNr));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _reporter.Tell(new Rejected(cause, sequenceNr));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    private void Keep(object e, IActorRef replyTo)
    {
        _events.Add(new Held(LastSequenceNr, e));
        replyTo.Tell(new Persisted(LastSequenceNr));
    }

    public sealed record PersistOne(object Event);

    public sealed record PersistMany(IReadOnlyList<object> Events);

    public sealed record Delete(long ToSequenceNr);

    public sealed record GetEvents
    {
        public static readonly GetEvents Instance = new();
    }

    public sealed record Held(long SequenceNr, object Event);

    public sealed record Events(IReadOnlyList<Held> All, long LastSequenceNr);

    public sealed record Persisted(long SequenceNr);

    public sealed record Failed(Exception Cause, long SequenceNr);

    public sealed record Rejected(Exception Cause, long SequenceNr);
}
