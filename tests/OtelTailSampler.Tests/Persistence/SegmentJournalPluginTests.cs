using System.Text;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Persistence;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Persistence;
using OtelTailSampler.Tests.Support;
using AtomicWrite = OtelTailSampler.Persistence.AtomicWrite;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>
/// Persistent actors over <see cref="SegmentJournalPlugin"/> on a real segment journal: what they persist comes
/// back by replay, in order, after they are stopped; deletion truncates; a second writer fails the write; writes of
/// many actors share one transaction, and bytes they share are stored once. A backend's class says how to open the
/// journal on a fresh store.
/// </summary>
public abstract class SegmentJournalPluginTests : IAsyncLifetime
{
    private static readonly string Hocon = SegmentJournalPlugin.Hocon + """

        akka.persistence.journal.plugin = "akka.persistence.journal.segment"
        akka.persistence.snapshot-store.plugin = "akka.persistence.no-snapshot-store"
        akka.test.single-expect-default = 30s
        akka.loglevel = WARNING
        """;

    private HoldingJournal _journal = null!;
    private JournalMetrics _metrics = null!;
    private JournalReadings _readings = null!;
    private JournalWriter _writer = null!;
    private TestKit _kit = null!;

    /// <summary>Opens a journal on this test's store, empty at the start of the test.</summary>
    protected abstract Task<IJournal> OpenJournalAsync();

    public virtual async Task InitializeAsync()
    {
        _journal = new HoldingJournal(await OpenJournalAsync());
        _metrics = new JournalMetrics();
        _readings = new JournalReadings(_metrics);
        _writer = new JournalWriter(_journal, new JournalWriterOptions(), NullLogger<JournalWriter>.Instance, _metrics);
        var setup = BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString(Hocon)).And(new SegmentJournalSetup(_journal, _writer));
        _kit = new TestKit(setup, "segment-journal-plugin");
    }

    public virtual async Task DisposeAsync()
    {
        // The actor system first: the plugin must not outlive the writer it commits through.
        _kit.Dispose();
        await _writer.DisposeAsync();
        await _journal.DisposeAsync();
        _readings.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public async Task A_stopped_actor_recovers_what_it_persisted_in_order()
    {
        var reporter = _kit.CreateTestProbe();
        var first = _kit.Sys.ActorOf(PersistingActor.Props("recovering", reporter.Ref));
        await PersistAsync(first, new SegmentEvent(1, Bytes("first part")));
        first.Tell(new PersistingActor.PersistMany([new SegmentEvent(3, Bytes("kept")), new SegmentEvent(2, Bytes("completed"))]), _kit.TestActor);
        await _kit.ExpectMsgAsync<PersistingActor.Persisted>();
        await _kit.ExpectMsgAsync<PersistingActor.Persisted>();
        await PersistAsync(first, "an event that is not bytes");
        await PersistAsync(first, new SegmentEvent(0, ReadOnlyMemory<byte>.Empty));
        await StopAsync(first);

        var recovered = await EventsOfAsync(_kit.Sys.ActorOf(PersistingActor.Props("recovering", reporter.Ref)));

        Assert.Equal(
            ["1 type 1: first part", "2 type 3: kept", "3 type 2: completed", "4 an event that is not bytes", "5 type 0: "],
            recovered.All.Select(Describe));
        Assert.Equal(5, recovered.LastSequenceNr);
    }

    [Fact]
    public async Task Deleted_events_are_not_replayed_and_numbering_goes_on_after_them()
    {
        var reporter = _kit.CreateTestProbe();
        var first = _kit.Sys.ActorOf(PersistingActor.Props("truncated", reporter.Ref));
        for (var i = 1; i <= 5; i++)
        {
            await PersistAsync(first, new SegmentEvent(1, Bytes($"part {i}")));
        }

        first.Tell(new PersistingActor.Delete(3));
        Assert.Equal(3, (await reporter.ExpectMsgAsync<DeleteMessagesSuccess>()).ToSequenceNr);
        await StopAsync(first);

        var second = _kit.Sys.ActorOf(PersistingActor.Props("truncated", reporter.Ref));
        var recovered = await EventsOfAsync(second);

        Assert.Equal(["4 type 1: part 4", "5 type 1: part 5"], recovered.All.Select(Describe));
        Assert.Equal(6, await PersistAsync(second, new SegmentEvent(1, Bytes("part 6"))));
    }

    [Fact]
    public async Task A_write_that_another_writer_got_ahead_of_fails_and_stops_the_actor()
    {
        var reporter = _kit.CreateTestProbe();
        var actor = _kit.Sys.ActorOf(PersistingActor.Props("contended", reporter.Ref));
        Assert.Empty((await EventsOfAsync(actor)).All);

        // Another node that believes it owns the id writes first.
        await _journal.WriteAsync([new AtomicWrite("contended", 1, 1, Bytes("the other writer's"))]);
        _kit.Watch(actor);
        actor.Tell(new PersistingActor.PersistOne(new SegmentEvent(1, Bytes("mine"))));

        var failed = await reporter.ExpectMsgAsync<PersistingActor.Failed>();
        Assert.IsType<SequenceNumberConflictException>(failed.Cause);
        Assert.Equal(1, failed.SequenceNr);
        await _kit.ExpectTerminatedAsync(actor);
        var recovered = await EventsOfAsync(_kit.Sys.ActorOf(PersistingActor.Props("contended", reporter.Ref)));
        Assert.Equal(["1 type 1: the other writer's"], recovered.All.Select(Describe));
    }

    [Fact]
    public async Task An_event_that_cannot_be_serialized_is_rejected_and_the_actor_goes_on()
    {
        var reporter = _kit.CreateTestProbe();
        var first = _kit.Sys.ActorOf(PersistingActor.Props("rejecting", reporter.Ref));
        first.Tell(new PersistingActor.PersistOne(new Unserializable()));
        Assert.Equal(1, (await reporter.ExpectMsgAsync<PersistingActor.Rejected>()).SequenceNr);
        Assert.Equal(2, await PersistAsync(first, new SegmentEvent(1, Bytes("after the rejected one"))));
        await StopAsync(first);

        var recovered = await EventsOfAsync(_kit.Sys.ActorOf(PersistingActor.Props("rejecting", reporter.Ref)));

        Assert.Equal(["2 type 1: after the rejected one"], recovered.All.Select(Describe));
    }

    [Fact]
    public async Task Writes_of_many_actors_commit_in_one_transaction_and_store_shared_bytes_once()
    {
        const int Actors = 20;
        var reporter = _kit.CreateTestProbe();
        var first = _kit.Sys.ActorOf(PersistingActor.Props("group-first", reporter.Ref));
        var others = Enumerable.Range(0, Actors).Select(i => _kit.Sys.ActorOf(PersistingActor.Props($"group-{i:00}", reporter.Ref))).ToList();
        foreach (var actor in others.Prepend(first))
        {
            await EventsOfAsync(actor);
        }

        // One request's bytes, as every shard it touches persists them; random, so deflate cannot hide copies.
        var request = new byte[64 * 1024];
        new Random(7).NextBytes(request);

        // A commit in flight: the others' writes queue behind it, as they do under load.
        _journal.HoldNext();
        first.Tell(new PersistingActor.PersistOne(new SegmentEvent(1, request)), _kit.TestActor);
        await _journal.Held;
        foreach (var actor in others)
        {
            actor.Tell(new PersistingActor.PersistOne(new SegmentEvent(1, request)), _kit.TestActor);
        }

        await Poll.UntilAsync(() => _readings.QueuedWrites() == Actors + 1, "every actor's write to wait for a commit");
        _journal.Release();
        for (var i = 0; i <= Actors; i++)
        {
            await _kit.ExpectMsgAsync<PersistingActor.Persisted>();
        }

        var transactions = _journal.Transactions;
        Assert.Equal(2, transactions.Count);
        Assert.Equal(Enumerable.Range(0, Actors).Select(i => $"group-{i:00}"), transactions[1].Order(StringComparer.Ordinal));

        // Two transactions, one copy each; 21 copies without the sharing.
        Assert.InRange(await _journal.ApproximateSizeBytesAsync(), 2 * request.Length, 3 * request.Length);
    }

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Describe(PersistingActor.Held held) => held.Event switch
    {
        SegmentEvent e => $"{held.SequenceNr} type {e.EventType}: {Encoding.UTF8.GetString(e.Payload.Span)}",
        var other => $"{held.SequenceNr} {other}",
    };

    private async Task<long> PersistAsync(IActorRef actor, object e)
    {
        actor.Tell(new PersistingActor.PersistOne(e), _kit.TestActor);
        return (await _kit.ExpectMsgAsync<PersistingActor.Persisted>()).SequenceNr;
    }

    private async Task<PersistingActor.Events> EventsOfAsync(IActorRef actor)
    {
        actor.Tell(PersistingActor.GetEvents.Instance, _kit.TestActor);
        return await _kit.ExpectMsgAsync<PersistingActor.Events>();
    }

    private async Task StopAsync(IActorRef actor)
    {
        _kit.Watch(actor);
        actor.Tell(PoisonPill.Instance);
        await _kit.ExpectTerminatedAsync(actor);
    }

    /// <summary>Akka's default serializer (JSON) fails on it, as on any event it cannot write.</summary>
    private sealed class Unserializable
    {
        public int Value => throw new InvalidOperationException($"{GetType().Name} cannot be serialized");
    }
}
