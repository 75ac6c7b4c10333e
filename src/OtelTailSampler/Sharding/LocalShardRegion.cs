using Akka.Actor;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Stands in for the `traces` shard region where there is no cluster (a sampling pipeline on its own, as tests and
/// the memory probe run it): every shard lives here, as a child started with the first message for it.
/// </summary>
internal sealed class LocalShardRegion : ReceiveActor
{
    private readonly TraceShardContext _node;

    public LocalShardRegion(TraceShardContext node)
    {
        _node = node;
        Receive<TraceShardSpans>(part => ShardActor(part.Shard).Forward(part));
        Receive<WakeTraceShard>(wake => ShardActor(wake.Shard).Forward(wake));
    }

    public static Props Props(TraceShardContext node) => Akka.Actor.Props.Create(() => new LocalShardRegion(node));

    private IActorRef ShardActor(int shard)
    {
        var name = shard.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var child = Context.Child(name);
        return child.IsNobody()
            ? Context.ActorOf(TraceShard.Props(shard, _node, nextHomeExists: static () => false, mayHaveLivedElsewhere: false), name)
            : child;
    }
}
