using Akka.Actor;
using Akka.Cluster;

namespace OtelTailSampler.Cluster;

/// <summary>
/// This node's view of the cluster for the rest of the node: whether it is Up (readiness), a snapshot of the members
/// (the admin API), and why the actor system ended, once it has (a downed node exits non-zero).
/// </summary>
public sealed class ClusterMembership
{
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorSystem? _system;
    private IActorRef? _observer;

    /// <summary>True while this member's status is Up.</summary>
    public bool IsUp => _system is { } system && Akka.Cluster.Cluster.Get(system).SelfMember.Status == MemberStatus.Up;

    /// <summary>The member's status, for readiness messages; "starting" before the actor system runs.</summary>
    public string Status => _system is { } system ? Akka.Cluster.Cluster.Get(system).SelfMember.Status.ToString() : "starting";

    /// <summary>Completes once this member is Up.</summary>
    public Task WhenUp => _up.Task;

    /// <summary>Why the actor system shut down (null while it runs, or when it ended for an ordinary reason).</summary>
    public CoordinatedShutdown.Reason? ShutdownReason => _system is { } system ? CoordinatedShutdown.Get(system).ShutdownReason : null;

    /// <summary>True when the cluster downed this node (split brain resolver, or an operator's down).</summary>
    public bool WasDowned => ShutdownReason is CoordinatedShutdown.ClusterDowningReason;

    internal void Attach(ActorSystem system, TimeProvider time)
    {
        _system = system;
        _observer = system.ActorOf(MembershipObserver.Props(time), "membership");
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => _up.TrySetResult());
    }

    /// <summary>The members as this node sees them.</summary>
    public async Task<ClusterSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var observer = _observer ?? throw new InvalidOperationException("The actor system has not started yet.");
        return await observer.Ask<ClusterSnapshot>(MembershipObserver.GetSnapshot.Instance, TimeSpan.FromSeconds(5), cancellationToken);
    }
}
