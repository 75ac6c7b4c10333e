using Akka.Actor;
using OtelTailSampler.Pipeline;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The sharded entity: one trace shard, living on the node the shard coordinator gave it to. It hands the parts
/// it receives to this node's pipeline, which journals them before their worker buffers them, and answers each
/// part's sender once that is done. On hand-off to another member it has the shard's buffered traces decided
/// before it stops, so that they are not split between two owners; their decisions are replicated, and the shard's
/// next incarnation, told on start that it may have lived elsewhere, has its late spans follow them.
/// </summary>
internal sealed class TraceShard : ReceiveActor
{
    private readonly int _shard;
    private readonly SamplingPipeline _pipeline;
    private readonly Func<bool> _nextHomeExists;
    private readonly bool _mayHaveLivedElsewhere;

    /// <param name="nextHomeExists">Whether another member is Up to take the shard over when it is handed off.</param>
    /// <param name="mayHaveLivedElsewhere">
    /// Whether the shard may have been hosted by another node before: true in a cluster configured with seeds, or
    /// when another member is Up; false for a node alone since it formed its cluster of one.
    /// </param>
    public TraceShard(int shard, SamplingPipeline pipeline, Func<bool> nextHomeExists, bool mayHaveLivedElsewhere)
    {
        _shard = shard;
        _pipeline = pipeline;
        _nextHomeExists = nextHomeExists;
        _mayHaveLivedElsewhere = mayHaveLivedElsewhere;
        Receive<TraceShardSpans>(Accept);
        Receive<TraceShardHandOff>(_ =>
        {
            // The last member stopping has no next home for the shard: its traces stay as they are, in the journal
            // for the next start (or, without one, decided when the pipeline stops).
            if (!_nextHomeExists())
            {
                Context.Stop(Self);
                return;
            }

            _pipeline.DecideShardAsync(_shard, CancellationToken.None).PipeTo(Self, success: () => Stopped.Instance, failure: _ => Stopped.Instance);
            Become(HandingOff);
        });
    }

    protected override void PreStart()
    {
        // The shard may have lived on another node: its late spans look for what was decided there.
        if (_mayHaveLivedElsewhere)
        {
            _pipeline.ShardArrived(_shard);
        }
    }

    public static Props Props(int shard, SamplingPipeline pipeline, Func<bool> nextHomeExists, bool mayHaveLivedElsewhere) =>
        Akka.Actor.Props.Create(() => new TraceShard(shard, pipeline, nextHomeExists, mayHaveLivedElsewhere));

    /// <summary>Whether a member other than this one is Up in <paramref name="system"/>'s cluster.</summary>
    public static bool OtherMemberUp(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        return cluster.State.Members.Any(member => member.Status == Akka.Cluster.MemberStatus.Up && !member.Address.Equals(cluster.SelfAddress));
    }

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
