using Akka.Actor;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The node's one long-lived actor that owners answer: it counts each request's acks and completes the request
/// when all are in, at the first refusal, or at its deadline, so that no part needs an Ask of its own. Parts that
/// are answered, or given up at the deadline, leave the node's in-flight count. A part answered by another node
/// is counted on that node's link (spans and bytes), since only the answer tells which node owned it.
/// </summary>
internal sealed class ForwardReplies : ReceiveActor, IWithTimers
{
    private readonly Dictionary<long, PendingForward> _pending = [];
    private readonly Dictionary<Address, KeyValuePair<string, object?>> _peers = [];
    private readonly ForwardBudget _budget;
    private readonly TimeProvider _time;
    private readonly SamplerMetrics? _metrics;

    public ForwardReplies(ForwardBudget budget, TimeProvider time, TimeSpan sweepInterval, SamplerMetrics? metrics)
    {
        _budget = budget;
        _time = time;
        _metrics = metrics;
        Receive<PendingForward>(pending => _pending[pending.RequestId] = pending);
        Receive<TraceShardAck>(Answered);
        Receive<Sweep>(_ => GiveUpOverdue());
        SweepInterval = sweepInterval;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private TimeSpan SweepInterval { get; }

    /// <param name="metrics">Where parts answered by other nodes are counted per link; null counts nothing.</param>
    public static Props Props(ForwardBudget budget, TimeProvider time, TimeSpan sweepInterval, SamplerMetrics? metrics = null) =>
        Akka.Actor.Props.Create(() => new ForwardReplies(budget, time, sweepInterval, metrics));

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
        // An ack after the deadline finds nothing: its part already left the in-flight count. A second ack for the
        // same part finds it answered.
        if (!_pending.TryGetValue(PendingForward.RequestOf(ack.RequestId), out var pending) || pending.Answer(ack.RequestId) is not { } part)
        {
            return;
        }

        _budget.Release(1);
        pending.Unanswered--;
        if (_metrics is not null && Sender.Path.Address is { HasGlobalScope: true } owner)
        {
            _metrics.Forwarded(PeerOf(owner), part.SpanCount, part.WireBytes);
        }

        if (!ack.Accepted)
        {
            // The client retries the whole request; parts that other owners took become counted duplicates.
            pending.Complete(false);
        }

        if (pending.Unanswered == 0)
        {
            _pending.Remove(pending.RequestId);
            pending.Complete(true);
        }
    }

    private KeyValuePair<string, object?> PeerOf(Address owner)
    {
        if (!_peers.TryGetValue(owner, out var tag))
        {
            tag = SamplerMetrics.PeerTag($"{owner.Host}:{owner.Port}");
            _peers[owner] = tag;
        }

        return tag;
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
