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

    /// <summary>Starts this node's graceful leave; the node stops once it has left. Returns its address.</summary>
    public string Leave()
    {
        var cluster = Akka.Cluster.Cluster.Get(_system ?? throw new InvalidOperationException("The actor system has not started yet."));
        cluster.Leave(cluster.SelfAddress);
        return cluster.SelfAddress.ToString();
    }

    /// <summary>Downs a member of the cluster by its address (akka.tcp://otel-sampler@host:port).</summary>
    public bool TryDown(string address, out string problem)
    {
        var cluster = Akka.Cluster.Cluster.Get(_system ?? throw new InvalidOperationException("The actor system has not started yet."));
        Address parsed;
        try
        {
            parsed = Address.Parse(address);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            problem = $"'{address}' is not a member address such as akka.tcp://otel-sampler@10.0.0.5:4319";
            return false;
        }

        if (!cluster.State.Members.Any(member => member.Address.Equals(parsed)))
        {
            problem = $"{address} is not a member of this cluster";
            return false;
        }

        cluster.Down(parsed);
        problem = "";
        return true;
    }

    /// <summary>The members as this node sees them.</summary>
    public async Task<ClusterSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var observer = _observer ?? throw new InvalidOperationException("The actor system has not started yet.");
        return await observer.Ask<ClusterSnapshot>(MembershipObserver.GetSnapshot.Instance, TimeSpan.FromSeconds(5), cancellationToken);
    }
}
