using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Google.Protobuf;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Sharding;

/// <summary>
/// Forwarding through the shard region, with a probe in the region's place and virtual time: a request is
/// acknowledged when every owner answered; at the in-flight cap the node pushes back without sending anything (so
/// Akka's region buffer, which drops when full, never fills); a request nobody answers in time gets a retry.
/// </summary>
public sealed class ShardRegionForwarderTests() : TestKit("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Sweep = TimeSpan.FromMilliseconds(100);
    private readonly ShardRouter _router = new(shards: 64, workers: 1);
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task A_request_is_accepted_once_every_owner_has_answered()
    {
        var (forwarder, region, _) = Forwarder(capacity: 100);
        var request = forwarder.ForwardAsync(Parts(traces: [1, 2, 3]), CancellationToken.None).AsTask();
        var parts = region.ReceiveN(3).Cast<TraceShardSpans>().ToList();
        Assert.Equal(3, parts.Select(part => part.Shard).Distinct().Count());

        // Each part is answered by its own number; a second answer for the same part does not stand for another's.
        Assert.Equal(3, parts.Select(part => part.RequestId).Distinct().Count());
        region.LastSender.Tell(new TraceShardAck(parts[0].RequestId, true));
        region.LastSender.Tell(new TraceShardAck(parts[0].RequestId, true));
        region.LastSender.Tell(new TraceShardAck(parts[1].RequestId, true));
        Assert.False(request.IsCompleted);
        region.LastSender.Tell(new TraceShardAck(parts[2].RequestId, true));
        Assert.Equal(PipelineOutcome.Accepted, await request);
    }

    [Fact]
    public async Task At_the_in_flight_cap_clients_are_pushed_back_and_nothing_more_is_sent()
    {
        var (forwarder, region, budget) = Forwarder(capacity: 6);
        var first = forwarder.ForwardAsync(Parts(traces: [1, 2, 3]), CancellationToken.None).AsTask();
        var second = forwarder.ForwardAsync(Parts(traces: [4, 5, 6]), CancellationToken.None).AsTask();
        var sent = region.ReceiveN(6).Cast<TraceShardSpans>().ToList();
        var replies = region.LastSender;

        var third = await forwarder.ForwardAsync(Parts(traces: [7]), CancellationToken.None);
        Assert.Equal(PipelineOutcome.Overloaded, third);
        Assert.False(region.HasMessages, "a part was sent past the cap");
        Assert.Equal(6, budget.InFlight);

        // Answers make room again: every part that was sent is accounted for, none lost on the way.
        foreach (var part in sent.Where(part => PendingForward.RequestOf(part.RequestId) == PendingForward.RequestOf(sent[0].RequestId)))
        {
            replies.Tell(new TraceShardAck(part.RequestId, true));
        }

        Assert.Equal(PipelineOutcome.Accepted, await first);
        Assert.Equal(3, budget.InFlight);
        var fourth = forwarder.ForwardAsync(Parts(traces: [7]), CancellationToken.None).AsTask();
        region.ReceiveN(1);
        Assert.False(second.IsCompleted || fourth.IsCompleted);
    }

    [Fact]
    public async Task A_request_not_answered_within_forward_timeout_gets_a_retry_and_leaves_the_in_flight_count()
    {
        var (forwarder, region, budget) = Forwarder(capacity: 100);
        var request = forwarder.ForwardAsync(Parts(traces: [1, 2]), CancellationToken.None).AsTask();
        var parts = region.ReceiveN(2).Cast<TraceShardSpans>().ToList();
        var replies = region.LastSender;
        replies.Tell(new TraceShardAck(parts[0].RequestId, true));

        _time.Advance(Timeout + TimeSpan.FromSeconds(1));
        ((TestScheduler)Sys.Scheduler).Advance(Sweep);

        Assert.Equal(PipelineOutcome.Overloaded, await request);
        Assert.Equal(0, budget.InFlight);
        Assert.Equal(1, budget.TimedOut);

        // An answer that comes after the deadline changes nothing.
        replies.Tell(new TraceShardAck(parts[1].RequestId, true));
        var next = forwarder.ForwardAsync(Parts(traces: [3]), CancellationToken.None).AsTask();
        region.ReceiveN(1);
        Assert.Equal(1, budget.InFlight);
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public async Task A_refusal_by_one_owner_pushes_the_client_back_at_once()
    {
        var (forwarder, region, _) = Forwarder(capacity: 100);
        var request = forwarder.ForwardAsync(Parts(traces: [1, 2]), CancellationToken.None).AsTask();
        var parts = region.ReceiveN(2).Cast<TraceShardSpans>().ToList();
        region.LastSender.Tell(new TraceShardAck(parts[0].RequestId, false));
        Assert.Equal(PipelineOutcome.Overloaded, await request);
    }

    [Fact]
    public async Task Requests_waiting_when_the_replies_actor_stops_get_a_retry_at_once()
    {
        var (forwarder, region, budget, replies) = ForwarderAndReplies(capacity: 100);
        var request = forwarder.ForwardAsync(Parts(traces: [1, 2]), CancellationToken.None).AsTask();
        region.ReceiveN(2);

        // As when the actor system ends: no virtual time passes, no owner answers. (A poison pill, queued behind the
        // request's registration, rather than a stop, which would overtake it.)
        Watch(replies);
        replies.Tell(PoisonPill.Instance);
        ExpectTerminated(replies);

        Assert.Equal(PipelineOutcome.Overloaded, await request);
        Assert.Equal(0, budget.InFlight);
    }

    [Fact]
    public async Task Once_the_actor_system_has_ended_a_request_gets_a_retry_even_when_its_registration_was_lost()
    {
        // The replies actor is gone: a probe that never answers stands for the dead letters the registration reaches.
        var region = CreateTestProbe();
        using var systemStopped = new CancellationTokenSource();
        var forwarder = new ShardRegionForwarder(region.Ref, CreateTestProbe().Ref, new ForwardBudget(100), Timeout, _time, systemStopped.Token);
        var waiting = forwarder.ForwardAsync(Parts(traces: [1, 2]), CancellationToken.None).AsTask();
        region.ReceiveN(2);
        Assert.False(waiting.IsCompleted);

        await systemStopped.CancelAsync();

        Assert.Equal(PipelineOutcome.Overloaded, await waiting);
        Assert.Equal(PipelineOutcome.Overloaded, await forwarder.ForwardAsync(Parts(traces: [3]), CancellationToken.None));
    }

    private (ShardRegionForwarder Forwarder, TestProbe Region, ForwardBudget Budget) Forwarder(int capacity)
    {
        var (forwarder, region, budget, _) = ForwarderAndReplies(capacity);
        return (forwarder, region, budget);
    }

    private (ShardRegionForwarder Forwarder, TestProbe Region, ForwardBudget Budget, IActorRef Replies) ForwarderAndReplies(int capacity)
    {
        var region = CreateTestProbe();
        var budget = new ForwardBudget(capacity);
        var replies = Sys.ActorOf(ForwardReplies.Props(budget, _time, Sweep));

        // Started, with its sweep timer set, before a test moves virtual time.
        replies.Tell(new Identify(null), TestActor);
        ExpectMsg<ActorIdentity>();
        return (new ShardRegionForwarder(region.Ref, replies, budget, Timeout, _time), region, budget, replies);
    }

    // One span per trace; the traces are picked to fall in different shards.
    private List<ShardPart> Parts(int[] traces)
    {
        var chosen = new List<int>();
        var shards = new HashSet<int>();
        for (var trace = traces[0] * 50; chosen.Count < traces.Length; trace++)
        {
            if (shards.Add(_router.ShardOf(TraceId.FromBytes(OtlpSamples.TraceId(trace % 256).Span))))
            {
                chosen.Add(trace % 256);
            }
        }

        var bytes = OtlpSamples.Traces([.. chosen.Select(trace => OtlpSamples.Span(trace, 1))]).ToByteArray();
        return TraceRequestSplitter.SplitByShard(bytes, _router);
    }
}
