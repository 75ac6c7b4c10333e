using System.Text;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Persistence;
using OtelTailSampler.Tests.Export.File;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>
/// What every <see cref="IJournal"/> backend must do, in the spirit of Akka.Persistence's JournalSpec. A backend's
/// test class derives from this and says how to open a journal on a fresh store, how to reach that store with SQL
/// behind the journal's back, and how to make it unavailable for a while.
/// </summary>
public abstract class JournalConformanceTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _opened = [];

    protected ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private protected ListLogger<JournalWriter> WriterLogger { get; } = new();

    /// <summary>Everything the journals of this test logged.</summary>
    protected abstract IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> JournalLog { get; }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        for (var i = _opened.Count - 1; i >= 0; i--)
        {
            await _opened[i].DisposeAsync();
        }
    }

    /// <summary>Opens a journal on this test's store (the same store every time within a test).</summary>
    protected abstract Task<IJournal> CreateJournalAsync(JournalSync sync);

    /// <summary>Runs SQL on the store directly, with <c>@name</c> parameters; returns the first column of the first row.</summary>
    protected abstract Task<object?> ExecuteSqlAsync(string sql, params (string Name, object Value)[] parameters);

    /// <summary>Makes the store refuse writes until the result is disposed.</summary>
    protected abstract Task<IAsyncDisposable> MakeUnavailableAsync();

    [Fact]
    public async Task Appended_events_replay_in_order_with_their_type_payload_and_write_time()
    {
        var journal = await OpenAsync();

        await journal.WriteAsync([Write("shard-0001", 1, 3)]);

        var events = await ReplayAllAsync(journal, "shard-0001");
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.SequenceNr));
        foreach (var e in events)
        {
            Assert.Equal("shard-0001", e.PersistenceId);
            Assert.Equal(EventType(e.SequenceNr), e.EventType);
            Assert.Equal(Payload("shard-0001", e.SequenceNr), e.Payload.ToArray());
            Assert.Equal(Time.GetUtcNow().ToUnixTimeMilliseconds(), e.WrittenAtUnixMs);
        }

        Assert.Equal(3, await journal.ReadHighestSequenceNrAsync("shard-0001"));
    }

    [Fact]
    public async Task Replay_honours_from_to_and_max()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("p", 1, 10)]);

        Assert.Equal([4L, 5L, 6L, 7L, 8L, 9L, 10L], await SequenceNrsAsync(journal, "p", 4, long.MaxValue, long.MaxValue));
        Assert.Equal([3L, 4L, 5L], await SequenceNrsAsync(journal, "p", 3, 5, long.MaxValue));
        Assert.Equal([2L, 3L], await SequenceNrsAsync(journal, "p", 2, long.MaxValue, 2));
        Assert.Equal([5L], await SequenceNrsAsync(journal, "p", 5, 5, 1));
        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "p", 0, 2, long.MaxValue));
        Assert.Empty(await SequenceNrsAsync(journal, "p", 5, 4, long.MaxValue));
        Assert.Empty(await SequenceNrsAsync(journal, "p", 11, long.MaxValue, long.MaxValue));
        Assert.Empty(await SequenceNrsAsync(journal, "p", 1, long.MaxValue, 0));
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task An_unknown_id_has_highest_zero_and_replays_nothing()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("known", 1, 1)]);

        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync("unknown"));
        Assert.Empty(await ReplayAllAsync(journal, "unknown"));
        await journal.DeleteUpToAsync("unknown", 10);
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync("unknown"));
    }

    [Fact]
    public async Task Replay_after_deletion_starts_after_the_deleted_prefix()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("p", 1, 5)]);

        await journal.DeleteUpToAsync("p", 3);

        Assert.Equal([4L, 5L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([5L], await SequenceNrsAsync(journal, "p", 5, long.MaxValue, long.MaxValue));

        // Deleting less than before changes nothing; a gap-free rest still replays without complaint.
        await journal.DeleteUpToAsync("p", 2);
        Assert.Equal([4L, 5L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("p"));
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task Deleting_everything_keeps_the_highest_sequence_nr_and_numbering_goes_on()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("p", 1, 4)]);

        await journal.DeleteUpToAsync("p", long.MaxValue);

        Assert.Empty(await ReplayAllAsync(journal, "p"));
        Assert.Equal(4, await journal.ReadHighestSequenceNrAsync("p"));
        var restart = await Assert.ThrowsAsync<SequenceNumberConflictException>(() => journal.WriteAsync([Write("p", 1, 1)]));
        Assert.Equal(5, restart.ExpectedSequenceNr);

        await journal.WriteAsync([Write("p", 5, 2)]);
        Assert.Equal([5L, 6L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(6, await journal.ReadHighestSequenceNrAsync("p"));
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task A_stale_sequence_nr_fails_the_whole_batch_and_nothing_of_it_is_visible()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("a", 1, 3)]);

        var conflict = await Assert.ThrowsAsync<SequenceNumberConflictException>(() =>
            journal.WriteAsync([Write("b", 1, 2), Write("a", 4, 1), Write("a", 3, 2)]));

        Assert.Equal("a", conflict.PersistenceId);
        Assert.Equal(5, conflict.ExpectedSequenceNr);
        Assert.Equal(3, conflict.AttemptedSequenceNr);
        Assert.Equal(2, conflict.WriteIndex);
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync("b"));
        Assert.Empty(await ReplayAllAsync(journal, "b"));
        Assert.Equal(3, await journal.ReadHighestSequenceNrAsync("a"));
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));
        Assert.DoesNotContain("b", await ListAsync(journal.PersistenceIdsAsync()));
    }

    [Fact]
    public async Task A_write_that_skips_a_sequence_nr_fails()
    {
        var journal = await OpenAsync();

        var fresh = await Assert.ThrowsAsync<SequenceNumberConflictException>(() => journal.WriteAsync([Write("p", 2, 1)]));
        Assert.Equal(1, fresh.ExpectedSequenceNr);

        await journal.WriteAsync([Write("p", 1, 2)]);
        var gap = await Assert.ThrowsAsync<SequenceNumberConflictException>(() => journal.WriteAsync([Write("p", 4, 1)]));
        Assert.Equal(3, gap.ExpectedSequenceNr);
        Assert.Equal(2, await journal.ReadHighestSequenceNrAsync("p"));
    }

    [Fact]
    public async Task A_batch_of_many_writes_commits_them_all_in_one_call()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("c", 1, 1)]);

        await journal.WriteAsync([Write("a", 1, 2), Write("b", 1, 1), Write("a", 3, 3), Write("c", 2, 2)]);

        Assert.Equal([1L, 2L, 3L, 4L, 5L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([1L], await SequenceNrsAsync(journal, "b", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(journal, "c", 1, long.MaxValue, long.MaxValue));
        var a = await ReplayAllAsync(journal, "a");
        Assert.All(a, e => Assert.Equal(Payload("a", e.SequenceNr), e.Payload.ToArray()));
    }

    [Fact]
    public async Task Concurrent_writers_through_the_journal_writer_all_land_in_order_per_id()
    {
        const int Writers = 8;
        const int EventsEach = 40;
        var journal = await OpenAsync();
        var writer = Track(new JournalWriter(journal, new JournalWriterOptions { MaxBatchWrites = 16 }, WriterLogger));

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            // Each writer pipelines its appends, as a shard worker does: the queue keeps them in order.
            var id = $"shard-{w:D4}";
            var appends = new List<Task>();
            for (var seq = 1; seq <= EventsEach; seq++)
            {
                appends.Add(writer.AppendAsync(Write(id, seq, 1)).AsTask());
            }

            await Task.WhenAll(appends);
        })));

        for (var w = 0; w < Writers; w++)
        {
            var id = $"shard-{w:D4}";
            var events = await ReplayAllAsync(journal, id);
            Assert.Equal(Enumerable.Range(1, EventsEach).Select(n => (long)n), events.Select(e => e.SequenceNr));
            Assert.All(events, e => Assert.Equal(Payload(id, e.SequenceNr), e.Payload.ToArray()));
        }

        Assert.True(writer.Healthy);
        Assert.InRange(writer.BatchesCommitted, 1, Writers * EventsEach);
    }

    [Fact]
    public async Task Persistence_ids_lists_every_written_id_in_ordinal_order_even_when_all_its_events_are_deleted()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("shard-0010", 1, 1), Write("shard-0002", 1, 1), Write("Shard-0003", 1, 2)]);
        await journal.DeleteUpToAsync("shard-0002", 1);

        Assert.Equal(["Shard-0003", "shard-0002", "shard-0010"], await ListAsync(journal.PersistenceIdsAsync()));
    }

    [Fact]
    public async Task A_garbled_payload_stops_replay_at_the_last_valid_event_and_is_logged()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("p", 1, 5), Write("other", 1, 2)]);
        var garbled = Payload("p", 3);
        garbled[garbled.Length / 2] ^= 0x40;

        await ExecuteSqlAsync(
            "UPDATE event_journal SET payload = @payload WHERE persistence_id = @id AND sequence_nr = @seq",
            ("payload", garbled), ("id", "p"), ("seq", 3L));

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
        var error = Assert.Single(JournalErrors());
        Assert.Contains("p", error, StringComparison.Ordinal);
        Assert.Contains("sequence number 3", error, StringComparison.Ordinal);
        Assert.Contains("checksum", error, StringComparison.Ordinal);
        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "other", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("p"));
    }

    [Fact]
    public async Task A_torn_last_event_is_not_returned()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("p", 1, 3)]);
        var torn = Payload("p", 3)[..5];

        await ExecuteSqlAsync(
            "UPDATE event_journal SET payload = @payload WHERE persistence_id = @id AND sequence_nr = @seq",
            ("payload", torn), ("id", "p"), ("seq", 3L));

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
        Assert.Single(JournalErrors());
    }

    [Fact]
    public async Task A_garbled_checksum_or_event_type_stops_replay()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("checksum", 1, 4), Write("type", 1, 4)]);

        await ExecuteSqlAsync("UPDATE event_journal SET checksum = checksum + 1 WHERE persistence_id = @id AND sequence_nr = @seq",
            ("id", "checksum"), ("seq", 2L));
        await ExecuteSqlAsync("UPDATE event_journal SET event_type = event_type + 1 WHERE persistence_id = @id AND sequence_nr = @seq",
            ("id", "type"), ("seq", 4L));

        Assert.Equal([1L], await SequenceNrsAsync(journal, "checksum", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(journal, "type", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(2, JournalErrors().Count);
    }

    [Fact]
    public async Task A_missing_event_stops_replay_at_the_gap_and_a_missing_tail_is_logged()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("gap", 1, 5), Write("tail", 1, 5)]);

        await ExecuteSqlAsync("DELETE FROM event_journal WHERE persistence_id = @id AND sequence_nr = @seq", ("id", "gap"), ("seq", 3L));
        await ExecuteSqlAsync("DELETE FROM event_journal WHERE persistence_id = @id AND sequence_nr >= @seq", ("id", "tail"), ("seq", 4L));

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "gap", 1, long.MaxValue, long.MaxValue));
        Assert.Contains("missing", Assert.Single(JournalErrors()), StringComparison.Ordinal);
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(journal, "tail", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(2, JournalErrors().Count);
    }

    [Fact]
    public async Task Size_counts_the_stored_payload_bytes_and_shrinks_after_deletion()
    {
        var journal = await OpenAsync();
        Assert.Equal(0, await journal.ApproximateSizeBytesAsync());

        await journal.WriteAsync([Write("a", 1, 4), Write("b", 1, 2)]);
        var all = Enumerable.Range(1, 4).Sum(n => Payload("a", n).Length) + Enumerable.Range(1, 2).Sum(n => Payload("b", n).Length);
        Assert.Equal(all, await journal.ApproximateSizeBytesAsync());

        await journal.DeleteUpToAsync("a", 3);
        Assert.Equal(all - Enumerable.Range(1, 3).Sum(n => Payload("a", n).Length), await journal.ApproximateSizeBytesAsync());

        await journal.DeleteUpToAsync("a", long.MaxValue);
        await journal.DeleteUpToAsync("b", long.MaxValue);
        Assert.Equal(0, await journal.ApproximateSizeBytesAsync());
    }

    [Fact]
    public async Task Events_and_the_highest_sequence_nr_survive_closing_and_reopening()
    {
        var first = await OpenAsync();
        await first.WriteAsync([Write("p", 1, 3)]);
        await first.DeleteUpToAsync("p", 1);
        await first.DisposeAsync();

        var second = await OpenAsync();

        Assert.Equal([2L, 3L], await SequenceNrsAsync(second, "p", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(3, await second.ReadHighestSequenceNrAsync("p"));
        Assert.Equal(["p"], await ListAsync(second.PersistenceIdsAsync()));
    }

    [Fact]
    public async Task Two_journals_on_one_store_cannot_both_write_the_same_sequence_nr()
    {
        // Two nodes that both believe they own a shard: the second one's write must fail, not fork the log.
        var owner = await OpenAsync();
        var intruder = await OpenAsync();
        await owner.WriteAsync([Write("shard-0042", 1, 2)]);

        await Assert.ThrowsAsync<SequenceNumberConflictException>(() => intruder.WriteAsync([Write("shard-0042", 1, 1)]));

        Assert.Equal(2, await intruder.ReadHighestSequenceNrAsync("shard-0042"));
        await intruder.WriteAsync([Write("shard-0042", 3, 1)]);
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(owner, "shard-0042", 1, long.MaxValue, long.MaxValue));
    }

    [Fact]
    public async Task Normal_sync_mode_writes_and_replays_the_same()
    {
        var journal = await OpenAsync(JournalSync.Normal);

        await journal.WriteAsync([Write("p", 1, 2)]);

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
    }

    [Fact]
    public async Task Large_empty_and_sliced_payloads_round_trip()
    {
        var journal = await OpenAsync();
        var large = new byte[3 * 1024 * 1024 + 17];
        new Random(42).NextBytes(large);
        var backing = Encoding.UTF8.GetBytes("xxsliceyy");
        ReadOnlyMemory<byte> slice = backing.AsMemory(2, 5);

        await journal.WriteAsync([new AtomicWrite("p", 1, [new PendingEvent(1, large), new PendingEvent(2, ReadOnlyMemory<byte>.Empty), new PendingEvent(-3, slice)])]);

        var events = await ReplayAllAsync(journal, "p");
        Assert.Equal(3, events.Count);
        Assert.Equal(large, events[0].Payload.ToArray());
        Assert.Equal(0, events[1].Payload.Length);
        Assert.Equal("slice"u8.ToArray(), events[2].Payload.ToArray());
        Assert.Equal(-3, events[2].EventType);
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task An_unavailable_journal_fails_writes_then_recovers_when_it_is_back()
    {
        var journal = await OpenAsync();
        var writer = Track(new JournalWriter(journal, new JournalWriterOptions(), WriterLogger));
        await writer.AppendAsync(Write("p", 1, 1));
        Assert.True(writer.Healthy);

        await using (await MakeUnavailableAsync())
        {
            await Assert.ThrowsAnyAsync<Exception>(() => writer.AppendAsync(Write("p", 2, 1)).AsTask());
            Assert.False(writer.Healthy);
            Assert.NotNull(writer.LastError);
        }

        // The failed write left nothing behind, so the same sequence number is the next one.
        await writer.AppendAsync(Write("p", 2, 1));
        Assert.True(writer.Healthy);
        Assert.Null(writer.LastError);
        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
    }

    protected static byte[] Payload(string persistenceId, long sequenceNr) =>
        Encoding.UTF8.GetBytes($"{persistenceId}/{sequenceNr}/" + new string('x', (int)(sequenceNr % 7) * 10));

    protected static int EventType(long sequenceNr) => (int)(sequenceNr % 4) + 1;

    /// <summary>Events first..first+count-1 of an id, with payloads from <see cref="Payload"/>.</summary>
    protected static AtomicWrite Write(string persistenceId, long first, int count) =>
        new(persistenceId, first, [.. Enumerable.Range(0, count).Select(i => new PendingEvent(EventType(first + i), Payload(persistenceId, first + i)))]);

    protected async Task<IJournal> OpenAsync(JournalSync sync = JournalSync.Full) => Track(await CreateJournalAsync(sync));

    protected T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _opened.Add(disposable);
        return disposable;
    }

    private static async Task<List<JournalEvent>> ReplayAllAsync(IJournal journal, string persistenceId) =>
        await ListAsync(journal.ReplayAsync(persistenceId, 1, long.MaxValue, long.MaxValue));

    private static async Task<List<long>> SequenceNrsAsync(IJournal journal, string persistenceId, long from, long to, long max) =>
        (await ListAsync(journal.ReplayAsync(persistenceId, from, to, max))).Select(e => e.SequenceNr).ToList();

    private static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> items)
    {
        List<T> list = [];
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    private List<string> JournalErrors() =>
        JournalLog.Where(entry => entry.Level >= LogLevel.Warning).Select(entry => entry.Message).ToList();
}
