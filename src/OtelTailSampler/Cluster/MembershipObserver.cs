using Akka.Actor;
using Akka.Cluster;

namespace OtelTailSampler.Cluster;

/// <summary>
/// Subscribes to cluster membership events and remembers when each member was first seen Up, which Akka's own
/// state does not record. It owns that state; the admin API asks it for a <see cref="ClusterSnapshot"/>.
/// </summary>
internal sealed class MembershipObserver : ReceiveActor
{
    private readonly Dictionary<Address, DateTimeOffset> _upSince = [];
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);

    public MembershipObserver(TimeProvider time)
    {
        Receive<ClusterEvent.MemberUp>(up => _upSince.TryAdd(up.Member.Address, time.GetUtcNow()));
        Receive<ClusterEvent.MemberRemoved>(removed => _upSince.Remove(removed.Member.Address));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members.Where(member => member.Status == MemberStatus.Up))
            {
                _upSince.TryAdd(member.Address, time.GetUtcNow());
            }
        });
        Receive<GetSnapshot>(_ => Sender.Tell(Snapshot()));
    }

    public static Props Props(TimeProvider time) => Akka.Actor.Props.Create(() => new MembershipObserver(time));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private ClusterSnapshot Snapshot()
    {
        var state = _cluster.State;
        var members = state.Members
            .OrderBy(member => member.Address.ToString(), StringComparer.Ordinal)
            .Select(member => new ClusterMemberInfo(
                member.Address.ToString(),
                member.Status.ToString(),
                [.. member.Roles.Order(StringComparer.Ordinal)],
                !state.Unreachable.Contains(member),
                _upSince.TryGetValue(member.Address, out var since) ? since : null))
            .ToList();
        return new ClusterSnapshot(_cluster.SelfAddress.ToString(), state.Leader?.ToString(), members);
    }

    /// <summary>Asks for the current <see cref="ClusterSnapshot"/>.</summary>
    public sealed record GetSnapshot
    {
        public static readonly GetSnapshot Instance = new();
    }
}
