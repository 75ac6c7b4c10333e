using Akka.Actor;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The node's one long-lived actor that owners answer: it counts each request's acks and completes the request
/// when all are in, at the first refusal, or at its deadline, so that no part needs an Ask of its own. Parts that
/// are answered, or given up at the deadline, leave the node's in-flight count.
/// </summary>
internal sealed class ForwardReplies : ReceiveActor, IWithTimers
{
    private readonly Dictionary<long, PendingForward> _pending = [];
    private readonly ForwardBudget _budget;
    private readonly TimeProvider _time;

    public ForwardReplies(ForwardBudget budget, TimeProvider time, TimeSpan sweepInterval)
    {
        _budget = budget;
        _time = time;
        Receive<PendingForward>(pending => _pending[pending.RequestId] = pending);
        Receive<TraceShardAck>(Answered);
        Receive<Sweep>(_ => GiveUpOverdue());
        SweepInterval = sweepInterval;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private TimeSpan SweepInterval { get; }

    public static Props Props(ForwardBudget budget, TimeProvider time, TimeSpan sweepInterval) =>
        Akka.Actor.Props.Create(() => new ForwardReplies(budget, time, sweepInterval));

    protected override void PreStart() => Timers.StartPeriodicTimer("sweep", Sweep.Instance, SweepInterval);

    // Stopped with the actor system (the cluster downed this node): no answer and no sweep will come, so the requests
    // still waiting are told to retry now, rather than hanging until the client gives up and holding up the node's stop.
    protected override void PostStop()
    {
        foreach (var pending in _pending.Values)
        {
            _budget.Release(pending.Unanswered);
            pending.Complete(false);
        }

        _pending.Clear();
    }

    private void Answered(TraceShardAck ack)
    {
        // An ack after the deadline finds nothing: its part already left the in-flight count.
        if (!_pending.TryGetValue(ack.RequestId, out var pending))
        {
            return;
        }

        _budget.Release(1);
        pending.Unanswered--;
        if (!ack.Accepted)
        {
            // The client retries the whole request; parts that other owners took become counted duplicates.
            pending.Complete(false);
        }

        if (pending.Unanswered == 0)
        {
            _pending.Remove(ack.RequestId);
            pending.Complete(true);
        }
    }

    private void GiveUpOverdue()
    {
        var now = _time.GetTimestamp();
        List<long>? overdue = null;
        foreach (var (id, pending) in _pending)
        {
            if (pending.Deadline <= now)
            {
                (overdue ??= []).Add(id);
            }
        }

        foreach (var id in overdue ?? [])
        {
            var pending = _pending[id];
            _pending.Remove(id);
            _budget.Release(pending.Unanswered);
            _budget.CountTimedOut(pending.Unanswered);
            pending.Complete(false);
        }
    }

    private sealed class Sweep
    {
        public static Sweep Instance { get; } = new();
    }
}
