using System.Collections.Concurrent;
using Akka.Actor;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The trace shards living on this node, by shard number: each registers when it starts and leaves when it stops.
/// The node uses it for what concerns its own shards rather than the cluster's: the tick that looks for due
/// traces, the question about a trace whose shard is here, and waiting until every shard has handled what it was
/// sent (tests, recovery). Messages to a shard still go through the shard region.
/// </summary>
internal sealed class LocalTraceShards
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<int, IActorRef> _shards = new();
    private readonly ConcurrentQueue<(RentedRequest Request, int Spans)> _unsent = new();

    public int Count => _shards.Count;

    public void Started(int shard, IActorRef actor) => _shards[shard] = actor;

    public void Stopped(int shard, IActorRef actor) => _shards.TryRemove(new KeyValuePair<int, IActorRef>(shard, actor));

    /// <summary>Kept traces a stopped shard could not hand to the exporter (its queue was full).</summary>
    public void KeepUnsent(List<(RentedRequest Request, int Spans)> unsent)
    {
        foreach (var request in unsent)
        {
            _unsent.Enqueue(request);
        }
    }

    /// <summary>At the node's stop: hands over what stopped shards left, waiting for the exporter's queue whenever it is full.</summary>
    public async Task SendUnsentAsync(ITelemetryExporter exporter, CancellationToken cancellationToken)
    {
        while (_unsent.TryPeek(out var unsent))
        {
            if (exporter.TryEnqueue(OtlpSignal.Traces, unsent.Request.Memory, unsent.Spans, unsent.Request.Completed, durable: false))
            {
                _unsent.TryDequeue(out _);
            }
            else
            {
                await exporter.FlushAsync(cancellationToken);
            }
        }
    }

    /// <summary>Asks a shard here to decide a trace early (memory pressure); false when the shard is not here.</summary>
    public bool DecideEarly(int shard, TraceId traceId)
    {
        if (!_shards.TryGetValue(shard, out var actor))
        {
            return false;
        }

        actor.Tell(new DecideTraceEarly(traceId));
        return true;
    }

    /// <summary>Asks every shard here to look for traces that are due.</summary>
    public void Tick()
    {
        foreach (var shard in _shards.Values)
        {
            shard.Tell(TraceShardTick.Instance);
        }
    }

    /// <summary>The trace's state in its shard, if the shard lives here; null otherwise.</summary>
    public async Task<TraceState?> LookUpAsync(int shard, TraceId traceId, CancellationToken cancellationToken)
    {
        if (!_shards.TryGetValue(shard, out var actor))
        {
            return null;
        }

        var lookup = new TraceLookup(traceId, shard);
        actor.Tell(lookup);
        return await lookup.Answer.Task.WaitAsync(AskTimeout, cancellationToken);
    }

    /// <summary>Completes once every shard here has handled everything sent to it before the call.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_shards.Values.Select(shard => shard.Ask<TraceShardIdle>(TraceShardIdle.Question, AskTimeout, cancellationToken)));
}
