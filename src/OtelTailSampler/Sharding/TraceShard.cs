using Akka.Actor;
using OtelTailSampler.Pipeline;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The sharded entity: one trace shard, living on the node the shard coordinator gave it to. It hands the parts
/// it receives to this node's pipeline, which journals them before their worker buffers them, and answers each
/// part's sender once that is done. On hand-off it has the shard's buffered traces decided before it stops, so
/// the shard's next owner can follow those decisions for late spans.
/// </summary>
internal sealed class TraceShard : ReceiveActor
{
    private readonly int _shard;
    private readonly SamplingPipeline _pipeline;

    public TraceShard(int shard, SamplingPipeline pipeline)
    {
        _shard = shard;
        _pipeline = pipeline;
        Receive<TraceShardSpans>(Accept);
        Receive<TraceShardHandOff>(_ =>
        {
            _pipeline.DecideShardAsync(_shard, CancellationToken.None).PipeTo(Self, success: () => Stopped.Instance, failure: _ => Stopped.Instance);
            Become(HandingOff);
        });
    }

    public static Props Props(int shard, SamplingPipeline pipeline) => Akka.Actor.Props.Create(() => new TraceShard(shard, pipeline));

    private void HandingOff()
    {
        // Parts that were already in the mailbox are still taken: they are journaled like any other.
        Receive<TraceShardSpans>(Accept);
        Receive<Stopped>(_ => Context.Stop(Self));
    }

    private void Accept(TraceShardSpans part)
    {
        var requestId = part.RequestId;
        _pipeline.AcceptShardAsync(_shard, part.Batch, CancellationToken.None)
            .PipeTo(Sender, Self, success: accepted => new TraceShardAck(requestId, accepted), failure: _ => new TraceShardAck(requestId, false));
    }

    private sealed class Stopped
    {
        public static Stopped Instance { get; } = new();
    }
}
