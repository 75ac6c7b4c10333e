using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Decisions;
using OtelTailSampler.Persistence;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Persistence;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Sharding;

/// <summary>
/// The sharded entity on its own, with Akka.TestKit, persisting through the segment journal plugin: it applies and
/// acknowledges a part only once the journal committed its event, refuses what the journal refuses and what the
/// node pushes back, recovers its traces by replay with their first arrival times, and on the region's hand-off
/// message decides its buffered traces, waits for their delivery, deletes its events and stops.
/// </summary>
public sealed class TraceShardTests : TestKit
{
    private const int Shards = 16;

    private static readonly Config Hocon = ConfigurationFactory.ParseString(LocalShardsHocon() + """

        akka.test.single-expect-default = 10s
        """);

    private readonly ManualTimeProvider _time;
    private readonly CapturingExporter _exporter = new();
    private readonly ScriptedJournal _scripted;
    private readonly JournalWriter _writer;
    private readonly ShardRouter _router = new(Shards, workers: 1);
    private bool _refuse;

    public TraceShardTests()
        : this(new ScriptedJournal(), new ManualTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)))
    {
    }

    private TraceShardTests(ScriptedJournal journal, ManualTimeProvider time)
        : this(journal, time, new JournalWriter(journal, new JournalWriterOptions(), NullLogger<JournalWriter>.Instance, new JournalMetrics()))
    {
    }

    private TraceShardTests(ScriptedJournal journal, ManualTimeProvider time, JournalWriter writer)
        : base(BootstrapSetup.Create().WithConfig(Hocon).And(new SegmentJournalSetup(journal, writer)), "trace-shard")
    {
        _scripted = journal;
        _time = time;
        _writer = writer;
    }

    [Fact]
    public async Task A_part_is_acknowledged_after_its_commit_and_only_then_buffered()
    {
        var node = Node(journaled: true);
        var (shard, batch) = OnePart(trace: 1);
        var entity = Sys.ActorOf(TraceShard.Props(shard, node, () => true, mayHaveLivedElsewhere: false));

        _scripted.HoldNextCall();
        entity.Tell(new TraceShardSpans(shard, requestId: 7, batch), TestActor);
        await _scripted.CallHeld.WaitAsync(TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, node.Budget.BufferedTraces);

        _scripted.Release();
        Assert.Equal(new TraceShardAck(7, Accepted: true), await ExpectMsgAsync<TraceShardAck>());
        Assert.Equal(1, node.Budget.BufferedTraces);
        Assert.Equal(TraceStatus.Buffered, (await LookUpAsync(node, shard, trace: 1)).Status);
    }

    [Fact]
    public async Task A_part_the_journal_fails_to_commit_is_refused_and_not_buffered()
    {
        var node = Node(journaled: true);
        var (shard, batch) = OnePart(trace: 2);
        var entity = Sys.ActorOf(TraceShard.Props(shard, node, () => true, mayHaveLivedElsewhere: false));

        _scripted.Then(new IOException("disk full"));
        entity.Tell(new TraceShardSpans(shard, requestId: 8, batch), TestActor);

        Assert.Equal(new TraceShardAck(8, Accepted: false), await ExpectMsgAsync<TraceShardAck>());
        Assert.Equal(0, node.Budget.BufferedTraces);
    }

    [Fact]
    public async Task A_node_that_pushes_back_refuses_parts_without_journaling_them()
    {
        var node = Node(journaled: true);
        var (shard, batch) = OnePart(trace: 3);
        var entity = Sys.ActorOf(TraceShard.Props(shard, node, () => true, mayHaveLivedElsewhere: false));

        _refuse = true;
        entity.Tell(new TraceShardSpans(shard, requestId: 9, batch), TestActor);

        Assert.Equal(new TraceShardAck(9, Accepted: false), await ExpectMsgAsync<TraceShardAck>());
        Assert.Empty(_scripted.Calls);
        Assert.Equal(0, node.Budget.BufferedTraces);
    }

    [Fact]
    public async Task A_new_incarnation_recovers_its_traces_by_replay_and_decides_them_when_first_due()
    {
        await using var sqlite = new SqliteShardKit(_time, "trace-shard-replay");
        var kit = sqlite.Kit;
        var node = Node(journaled: true);
        var (shard, batch) = OnePart(trace: 4);
        var first = kit.Sys.ActorOf(TraceShard.Props(shard, node, () => true, mayHaveLivedElsewhere: false));
        first.Tell(new TraceShardSpans(shard, requestId: 10, batch), kit.TestActor);
        await kit.ExpectMsgAsync<TraceShardAck>(ack => ack.Accepted);

        // A crash, as far as the shard knows: it stops without deciding, and 20 of the 30 seconds pass.
        kit.Watch(first);
        first.Tell(PoisonPill.Instance);
        await kit.ExpectTerminatedAsync(first);
        _time.Advance(TimeSpan.FromSeconds(20));

        var second = kit.Sys.ActorOf(TraceShard.Props(shard, node, () => true, mayHaveLivedElsewhere: false));
        second.Tell(new WakeTraceShard(shard), kit.TestActor);
        await kit.ExpectMsgAsync<WakeTraceShard>();
        Assert.Equal(new TraceState(TraceStatus.Buffered, BufferedSpans: 2), await LookUpAsync(node, shard, trace: 4));
        Assert.Empty(_exporter.Traces);

        // Due 30 s after the spans first arrived, not 30 s after the replay.
        _time.Advance(TimeSpan.FromSeconds(10.1));
        second.Tell(TraceShardTick.Instance);
        await kit.AwaitAssertAsync(() => Assert.Single(_exporter.Traces));
        Assert.Equal(TraceStatus.Kept, (await LookUpAsync(node, shard, trace: 4)).Status);
    }

    [Fact]
    public async Task On_hand_off_the_shard_decides_what_it_buffers_then_stops()
    {
        var node = Node(journaled: false);
        var (shard, batch) = OnePart(trace: 5);
        var entity = Sys.ActorOf(TraceShard.Props(shard, node, () => true, mayHaveLivedElsewhere: false));
        entity.Tell(new TraceShardSpans(shard, requestId: 11, batch), TestActor);
        await ExpectMsgAsync<TraceShardAck>(ack => ack.Accepted);
        Assert.Empty(_exporter.Traces);

        Watch(entity);
        entity.Tell(TraceShardHandOff.Instance);
        await ExpectTerminatedAsync(entity);

        // Decided long before decision-wait: kept by the always-sample policy and handed to the exporter.
        Assert.Equal(0, node.Budget.BufferedTraces);
        var exported = Assert.Single(_exporter.Traces);
        Assert.Equal(OtlpSamples.TraceId(5), exported.ResourceSpans[0].ScopeSpans[0].Spans[0].TraceId);
    }

    [Fact]
    public async Task A_journaled_hand_off_waits_for_delivery_then_deletes_the_shards_events()
    {
        await using var sqlite = new SqliteShardKit(_time, "trace-shard-hand-off");
        var kit = sqlite.Kit;
        _exporter.WithholdDeliveries = true;
        var node = Node(journaled: true);
        var (shard, batch) = OnePart(trace: 6);
        var entity = kit.Sys.ActorOf(TraceShard.Props(shard, node, () => true, mayHaveLivedElsewhere: false));
        entity.Tell(new TraceShardSpans(shard, requestId: 12, batch), kit.TestActor);
        await kit.ExpectMsgAsync<TraceShardAck>(ack => ack.Accepted);

        kit.Watch(entity);
        entity.Tell(TraceShardHandOff.Instance);
        await kit.AwaitAssertAsync(() => Assert.Single(_exporter.Traces));
        await kit.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Assert.NotEqual(0, await sqlite.Journal.ReadHighestSequenceNrAsync(ShardJournal.PersistenceId(shard)));

        _exporter.DeliverWithheld();
        await kit.ExpectTerminatedAsync(entity);
        Assert.Equal(0, await CountEventsAsync(sqlite.Journal, ShardJournal.PersistenceId(shard)));
    }

    [Fact]
    public async Task A_shard_that_moved_here_follows_a_replicated_keep_and_takes_one_naming_an_unknown_policy_as_a_new_trace()
    {
        var replica = new DecisionReplica(new DecisionsOptions(), _time);
        var node = Node(journaled: false) with { Replica = replica };
        var (shard, known) = OnePart(trace: 8);
        var (_, unknown) = OnePart(trace: TraceOfShard(shard, after: 8));
        var slot = replica.Keys.SlotAt(_time.GetUtcNow());
        var key = replica.Keys.KeyForShard(shard, slot);

        // Kept on the old owner: trace 8 by policy 0 (keep-all here), the other by a policy index this node lacks.
        var state = ReplicatedDecisions.Empty
            .Add(slot, known.Spans[0].TraceId, TraceDecision.Keep(0, 1))
            .Add(slot, unknown.Spans[0].TraceId, TraceDecision.Keep(5, 1));
        replica.Observe(replica.Keys.AllKeys.ToList().IndexOf(key), state);
        var entity = Sys.ActorOf(TraceShard.Props(shard, node, () => true, mayHaveLivedElsewhere: true));

        entity.Tell(new TraceShardSpans(shard, requestId: 14, known), TestActor);
        entity.Tell(new TraceShardSpans(shard, requestId: 15, unknown), TestActor);
        await ExpectMsgAsync<TraceShardAck>(ack => ack.Accepted);
        await ExpectMsgAsync<TraceShardAck>(ack => ack.Accepted);

        // The known keep is followed at once, its late spans exported; the other trace is collected as a new one.
        var exported = Assert.Single(_exporter.Traces);
        Assert.Equal(OtlpSamples.TraceId(8), exported.ResourceSpans[0].ScopeSpans[0].Spans[0].TraceId);
        Assert.Equal(1, node.Budget.BufferedTraces);
    }

    [Fact]
    public async Task The_last_member_hands_off_without_deciding_what_stays_in_its_journal()
    {
        var node = Node(journaled: true);
        var (shard, batch) = OnePart(trace: 7);
        var entity = Sys.ActorOf(TraceShard.Props(shard, node, nextHomeExists: () => false, mayHaveLivedElsewhere: false));
        entity.Tell(new TraceShardSpans(shard, requestId: 13, batch), TestActor);
        await ExpectMsgAsync<TraceShardAck>(ack => ack.Accepted);

        Watch(entity);
        entity.Tell(TraceShardHandOff.Instance);
        await ExpectTerminatedAsync(entity);
        Assert.Equal(1, node.Budget.BufferedTraces);
        Assert.Empty(_exporter.Traces);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>An actor system of its own whose shards persist to a real SQLite journal, for the tests of replay and deletion.</summary>
    private sealed class SqliteShardKit : IAsyncDisposable
    {
        private readonly Configuration.TemporaryDirectory _directory = new();
        private readonly JournalWriter _writer;

        public SqliteShardKit(TimeProvider time, string name)
        {
            Journal = SqliteJournal.Open(new JournalOptions { SqlitePath = _directory.Path }, NullLogger<SqliteJournal>.Instance, time);
            _writer = new JournalWriter(Journal, new JournalWriterOptions(), NullLogger<JournalWriter>.Instance);
            Kit = new TestKit(BootstrapSetup.Create().WithConfig(Hocon).And(new SegmentJournalSetup(Journal, _writer)), name);
        }

        public SqliteJournal Journal { get; }

        public TestKit Kit { get; }

        // The actor system first: the plugin must not outlive the writer it commits through.
        public async ValueTask DisposeAsync()
        {
            Kit.Dispose();
            await _writer.DisposeAsync();
            await Journal.DisposeAsync();
            _directory.Dispose();
        }
    }

    private static string LocalShardsHocon() => LocalShards.PersistenceHocon(journaled: true);

    private static async Task<int> CountEventsAsync(SqliteJournal journal, string persistenceId)
    {
        var count = 0;
        await foreach (var _ in journal.ReplayAsync(persistenceId, 1, long.MaxValue, long.MaxValue))
        {
            count++;
        }

        return count;
    }

    private static async Task<TraceState> LookUpAsync(TraceShardContext node, int shard, int trace) =>
        (await node.Directory.LookUpAsync(shard, TraceId.FromBytes(OtlpSamples.TraceId(trace).Span), CancellationToken.None))!;

    private TraceShardContext Node(bool journaled)
    {
        var options = new SamplingOptions
        {
            DecisionWait = TimeSpan.FromSeconds(30),
            Policies = new PolicySetOptions([new AlwaysSamplePolicyOptions("keep-all")]),
        };
        return new TraceShardContext(options, PolicySet.Create(options.Policies, 1, _time), _exporter, new SamplerMetrics(), _time,
            NullLogger.Instance, new NodeTraceBudget(options.MaxTraces, options.MaxBufferedBytes), new LocalTraceShards(), Shards, journaled,
            Replica: null, RefuseParts: () => _refuse);
    }

    private int TraceOfShard(int shard, int after) =>
        Enumerable.Range(after + 1, 10_000).First(trace => _router.ShardOf(TraceId.FromBytes(OtlpSamples.TraceId(trace).Span)) == shard);

    private (int Shard, SpanBatch Batch) OnePart(int trace)
    {
        var bytes = OtlpSamples.Traces(OtlpSamples.Span(trace, 1), OtlpSamples.Span(trace, 2, parent: 1)).ToByteArray();
        var part = Assert.Single(TraceRequestSplitter.SplitByShard(bytes, _router));
        return (part.Shard, part.Batch);
    }
}
