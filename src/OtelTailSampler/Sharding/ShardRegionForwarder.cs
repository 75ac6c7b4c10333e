using Akka.Actor;
using OtelTailSampler.Pipeline;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Sends each part of a trace request through the `traces` shard region, which delivers it to the local trace
/// shard or over Akka.Remote to the shard's owner; the owners answer <see cref="ForwardReplies"/>, and the
/// request is acknowledged once every part is journaled. A request that is not done by forward-timeout gets
/// 503 / UNAVAILABLE, and the client retries it: at least once, with duplicates, never lost.
/// </summary>
internal sealed class ShardRegionForwarder : IShardForwarder
{
    private readonly IActorRef _region;
    private readonly IActorRef _replies;
    private readonly ForwardBudget _budget;
    private readonly TimeProvider _time;
    private readonly long _timeoutTicks;
    private readonly CancellationToken _systemStopped;
    private long _nextRequestId;

    /// <param name="systemStopped">Cancelled when the actor system has ended: nothing answers then, so waiting requests get a retry at once.</param>
    public ShardRegionForwarder(IActorRef region, IActorRef replies, ForwardBudget budget, TimeSpan timeout, TimeProvider time, CancellationToken systemStopped = default)
    {
        _region = region;
        _replies = replies;
        _budget = budget;
        _time = time;
        _timeoutTicks = (long)(timeout.TotalSeconds * time.TimestampFrequency);
        _systemStopped = systemStopped;
    }

    public ForwardBudget Budget => _budget;

    // Bounded generously: a shard with a long journal replays all of it before it answers.
    public Task WakeAsync(int shard, CancellationToken cancellationToken) =>
        _region.Ask<WakeTraceShard>(new WakeTraceShard(shard), TimeSpan.FromMinutes(5), cancellationToken);

    public async ValueTask<PipelineOutcome> ForwardAsync(List<ShardPart> parts, CancellationToken cancellationToken)
    {
        if (parts.Count == 0)
        {
            return PipelineOutcome.Accepted;
        }

        if (!_budget.TryTake(parts.Count))
        {
            foreach (var part in parts)
            {
                part.Batch.ReleaseAll();
            }

            return PipelineOutcome.Overloaded;
        }

        var pending = new PendingForward(Interlocked.Increment(ref _nextRequestId), parts.Count, _time.GetTimestamp() + _timeoutTicks);

        // Registered first: an owner's answer always finds it, since it is queued behind this in the mailbox.
        _replies.Tell(pending);
        for (var i = 0; i < parts.Count; i++)
        {
            _region.Tell(pending.Part(i, parts[i].Shard, parts[i].Batch), _replies);
        }

        // A request registered as the actor system ends may reach dead letters instead of the replies actor (the cluster
        // downed this node): it is told to retry rather than left waiting for an answer that cannot come.
        using var stopped = _systemStopped.Register(static state => ((PendingForward)state!).Complete(false), pending);
        return await pending.Task.WaitAsync(cancellationToken) ? PipelineOutcome.Accepted : PipelineOutcome.Overloaded;
    }
}
