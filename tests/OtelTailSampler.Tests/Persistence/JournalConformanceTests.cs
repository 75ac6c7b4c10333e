using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Persistence;
using OtelTailSampler.Tests.Export.File;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>
/// What every <see cref="IJournal"/> backend must do, in the spirit of Akka.Persistence's JournalSpec. A backend's
/// test class derives from this and says how to open a journal on a fresh store, how to reach that store with SQL
/// behind the journal's back, and how to make it unavailable for a while. The store holds one row per commit, a
/// segment (<c>journal_segment</c>), and one metadata row per persistence id (<c>journal_metadata</c>); the damage
/// tests change segment rows with SQL, as a torn write, a bad disk or an operator would.
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

    /// <summary>Cuts a stored segment's content to its first <paramref name="keepBytes"/> bytes, as a torn write leaves it.</summary>
    protected abstract Task TruncateSegmentContentAsync(long segmentNr, int keepBytes);

    /// <summary>Overwrites a stored segment's content with zeros from byte <paramref name="fromByte"/> on, keeping its length (a torn page).</summary>
    protected abstract Task ZeroSegmentContentFromAsync(long segmentNr, int fromByte);

    [Fact]
    public async Task Appended_events_replay_in_order_with_their_type_payload_and_write_time()
    {
        var journal = await OpenAsync();

        await journal.WriteAsync([Write("shard-0001", 1, 3)]);

        var events = await ReplayIdAsync(journal, "shard-0001");
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
    public async Task Replay_honours_from_to_and_max_across_segments()
    {
        var journal = await OpenAsync();

        // p's events spread over three commits, with another id's events in the same segments.
        await journal.WriteAsync([Write("p", 1, 3), Write("q", 1, 2)]);
        await journal.WriteAsync([Write("q", 3, 1), Write("p", 4, 3)]);
        await journal.WriteAsync([Write("p", 7, 4)]);
        Assert.Equal(3, await SegmentCountAsync());

        Assert.Equal([4L, 5L, 6L, 7L, 8L, 9L, 10L], await SequenceNrsAsync(journal, "p", 4, long.MaxValue, long.MaxValue));
        Assert.Equal([3L, 4L, 5L], await SequenceNrsAsync(journal, "p", 3, 5, long.MaxValue));
        Assert.Equal([2L, 3L], await SequenceNrsAsync(journal, "p", 2, long.MaxValue, 2));
        Assert.Equal([6L, 7L, 8L], await SequenceNrsAsync(journal, "p", 6, long.MaxValue, 3));
        Assert.Equal([5L], await SequenceNrsAsync(journal, "p", 5, 5, 1));
        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "p", 0, 2, long.MaxValue));
        Assert.Equal([8L, 9L], await SequenceNrsAsync(journal, "p", 8, 9, long.MaxValue));
        Assert.Empty(await SequenceNrsAsync(journal, "p", 5, 4, long.MaxValue));
        Assert.Empty(await SequenceNrsAsync(journal, "p", 11, long.MaxValue, long.MaxValue));
        Assert.Empty(await SequenceNrsAsync(journal, "p", 1, long.MaxValue, 0));
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(journal, "q", 1, long.MaxValue, long.MaxValue));
        var events = await ReplayIdAsync(journal, "p");
        Assert.All(events, e => Assert.Equal(Payload("p", e.SequenceNr), e.Payload.ToArray()));
        Assert.All(events, e => Assert.Equal(EventType(e.SequenceNr), e.EventType));
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task An_unknown_id_has_highest_zero_and_replays_nothing()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("known", 1, 1)]);

        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync("unknown"));
        Assert.Empty(await ReplayIdAsync(journal, "unknown"));
        await journal.DeleteUpToAsync("unknown", 10);
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync("unknown"));
        Assert.Equal(["known"], await ListAsync(journal.PersistenceIdsAsync()));
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

        Assert.Empty(await ReplayIdAsync(journal, "p"));
        Assert.Equal(4, await journal.ReadHighestSequenceNrAsync("p"));
        var restart = await Assert.ThrowsAsync<SequenceNumberConflictException>(() => journal.WriteAsync([Write("p", 1, 1)]));
        Assert.Equal(5, restart.ExpectedSequenceNr);

        // The deletion was capped at the highest then, so the events written after it are not hidden by it.
        await journal.WriteAsync([Write("p", 5, 2)]);
        Assert.Equal([5L, 6L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(6, await journal.ReadHighestSequenceNrAsync("p"));
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task Several_ids_are_deleted_in_one_call_each_capped_at_its_highest_and_never_backwards()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("a", 1, 3), Write("b", 1, 3), Write("c", 1, 2)]);
        await journal.WriteAsync([Write("a", 4, 2)]);

        await journal.DeleteUpToAsync([("a", 3), ("b", long.MaxValue), ("c", 1), ("unknown", 5)]);

        Assert.Equal([4L, 5L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));
        Assert.Empty(await ReplayIdAsync(journal, "b"));
        Assert.Equal([2L], await SequenceNrsAsync(journal, "c", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(3, await journal.ReadHighestSequenceNrAsync("b"));
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync("unknown"));
        Assert.DoesNotContain("unknown", await ListAsync(journal.PersistenceIdsAsync()));

        // Lower marks change nothing, nor does an empty call; the same id twice ends at the higher mark.
        await journal.DeleteUpToAsync([("a", 1), ("c", 0), ("b", 2)]);
        await journal.DeleteUpToAsync([]);
        Assert.Equal([4L, 5L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([2L], await SequenceNrsAsync(journal, "c", 1, long.MaxValue, long.MaxValue));
        await journal.DeleteUpToAsync([("a", 4), ("a", 2)]);
        Assert.Equal([5L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));

        // b's deletion was capped at 3, so events written after it replay.
        await journal.WriteAsync([Write("b", 4, 2)]);
        Assert.Equal([4L, 5L], await SequenceNrsAsync(journal, "b", 1, long.MaxValue, long.MaxValue));

        // Every segment still holds an event not deleted: the first c's second, the second a's fifth.
        Assert.Equal(3, await SegmentCountAsync());
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task A_stale_sequence_nr_fails_the_whole_batch_and_nothing_of_it_is_visible()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("a", 1, 3)]);
        var size = await journal.ApproximateSizeBytesAsync();

        var conflict = await Assert.ThrowsAsync<SequenceNumberConflictException>(() =>
            journal.WriteAsync([Write("b", 1, 2), Write("a", 4, 1), Write("a", 3, 2)]));

        Assert.Equal("a", conflict.PersistenceId);
        Assert.Equal(5, conflict.ExpectedSequenceNr);
        Assert.Equal(3, conflict.AttemptedSequenceNr);
        Assert.Equal(2, conflict.WriteIndex);
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync("b"));
        Assert.Empty(await ReplayIdAsync(journal, "b"));
        Assert.Equal(3, await journal.ReadHighestSequenceNrAsync("a"));
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));
        Assert.DoesNotContain("b", await ListAsync(journal.PersistenceIdsAsync()));
        Assert.Equal(1, await SegmentCountAsync());
        Assert.Equal(size, await journal.ApproximateSizeBytesAsync());
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

        // Within one call, an id's later write must follow its earlier one; the failing write's index is reported.
        var inBatch = await Assert.ThrowsAsync<SequenceNumberConflictException>(() =>
            journal.WriteAsync([Write("p", 3, 2), Write("q", 1, 1), Write("p", 6, 1)]));
        Assert.Equal("p", inBatch.PersistenceId);
        Assert.Equal(5, inBatch.ExpectedSequenceNr);
        Assert.Equal(6, inBatch.AttemptedSequenceNr);
        Assert.Equal(2, inBatch.WriteIndex);

        // A conflict with what the journal holds names the id's write in the call.
        var stored = await Assert.ThrowsAsync<SequenceNumberConflictException>(() =>
            journal.WriteAsync([Write("q", 1, 1), Write("p", 2, 1)]));
        Assert.Equal("p", stored.PersistenceId);
        Assert.Equal(3, stored.ExpectedSequenceNr);
        Assert.Equal(2, stored.AttemptedSequenceNr);
        Assert.Equal(1, stored.WriteIndex);

        Assert.Equal(2, await journal.ReadHighestSequenceNrAsync("p"));
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync("q"));
        Assert.Equal(1, await SegmentCountAsync());
    }

    [Fact]
    public async Task Each_segment_carries_its_write_time_size_and_a_crc32c_over_time_summary_and_content()
    {
        var journal = await OpenAsync();
        var segmentNr = await WriteSegmentAsync(journal, Write("shard-0007", 1, 2), Write("shard-0042", 1, 1), Write("shard-0007", 3, 1));

        var (writtenAt, summary, content) = await ReadSegmentAsync(segmentNr);

        Assert.Equal(Time.GetUtcNow().ToUnixTimeMilliseconds(), writtenAt);
        Assert.Equal(SegmentChecksum(writtenAt, summary, content),
            Convert.ToInt64(await ExecuteSqlAsync("SELECT checksum FROM journal_segment WHERE segment_nr = @nr", ("nr", segmentNr)), CultureInfo.InvariantCulture));
        Assert.Equal(summary.Length + content.Length,
            Convert.ToInt64(await ExecuteSqlAsync("SELECT stored_bytes FROM journal_segment WHERE segment_nr = @nr", ("nr", segmentNr)), CultureInfo.InvariantCulture));

        // The summary names each id it holds, uncompressed, so a reader can skip the content of segments it does not need.
        Assert.True(summary.AsSpan().IndexOf("shard-0007"u8) >= 0, "the summary does not name shard-0007");
        Assert.True(summary.AsSpan().IndexOf("shard-0042"u8) >= 0, "the summary does not name shard-0042");
    }

    [Fact]
    public async Task A_batch_of_many_writes_commits_them_all_in_one_segment()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("c", 1, 1)]);

        await journal.WriteAsync([Write("a", 1, 2), Write("b", 1, 1), Write("a", 3, 3), Write("c", 2, 2)]);

        Assert.Equal([1L, 2L, 3L, 4L, 5L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([1L], await SequenceNrsAsync(journal, "b", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(journal, "c", 1, long.MaxValue, long.MaxValue));
        var a = await ReplayIdAsync(journal, "a");
        Assert.All(a, e => Assert.Equal(Payload("a", e.SequenceNr), e.Payload.ToArray()));
        Assert.All(a, e => Assert.Equal(EventType(e.SequenceNr), e.EventType));
        Assert.Equal(2, await SegmentCountAsync());
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("a"));
        Assert.Equal(3, await journal.ReadHighestSequenceNrAsync("c"));
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
            var events = await ReplayIdAsync(journal, id);
            Assert.Equal(Enumerable.Range(1, EventsEach).Select(n => (long)n), events.Select(e => e.SequenceNr));
            Assert.All(events, e => Assert.Equal(Payload(id, e.SequenceNr), e.Payload.ToArray()));
        }

        Assert.True(writer.Healthy);
        Assert.InRange(writer.BatchesCommitted, 1, Writers * EventsEach);
        Assert.Equal(writer.BatchesCommitted, await SegmentCountAsync());
        Assert.Equal(Writers * EventsEach, (await ListAsync(journal.ReplayAllAsync())).Count);
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
    public async Task Replay_all_returns_every_id_interleaved_in_write_order()
    {
        var journal = await OpenAsync();
        Assert.Empty(await ListAsync(journal.ReplayAllAsync()));

        await journal.WriteAsync([Write("a", 1, 2), Write("b", 1, 1)]);
        var firstCommit = Time.GetUtcNow().ToUnixTimeMilliseconds();
        Time.Advance(TimeSpan.FromSeconds(1));
        await journal.WriteAsync([Write("c", 1, 1), Write("a", 3, 1)]);
        var secondCommit = Time.GetUtcNow().ToUnixTimeMilliseconds();
        Time.Advance(TimeSpan.FromSeconds(1));
        await journal.WriteAsync([Write("b", 2, 2)]);
        var thirdCommit = Time.GetUtcNow().ToUnixTimeMilliseconds();

        var events = await ListAsync(journal.ReplayAllAsync());

        Assert.Equal(
            [("a", 1L), ("a", 2L), ("b", 1L), ("c", 1L), ("a", 3L), ("b", 2L), ("b", 3L)],
            events.Select(e => (e.PersistenceId, e.SequenceNr)));
        Assert.All(events, e => Assert.Equal(Payload(e.PersistenceId, e.SequenceNr), e.Payload.ToArray()));
        Assert.All(events, e => Assert.Equal(EventType(e.SequenceNr), e.EventType));
        Assert.Equal(
            [firstCommit, firstCommit, firstCommit, secondCommit, secondCommit, thirdCommit, thirdCommit],
            events.Select(e => e.WrittenAtUnixMs));
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task Replay_all_starts_after_each_ids_deletion_mark()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("a", 1, 2), Write("b", 1, 1)]);
        await journal.WriteAsync([Write("c", 1, 1), Write("a", 3, 1)]);
        await journal.WriteAsync([Write("b", 2, 2), Write("d", 1, 2)]);

        await journal.DeleteUpToAsync([("a", 2), ("b", 1), ("d", long.MaxValue)]);

        var events = await ListAsync(journal.ReplayAllAsync());
        Assert.Equal([("c", 1L), ("a", 3L), ("b", 2L), ("b", 3L)], events.Select(e => (e.PersistenceId, e.SequenceNr)));
        Assert.All(events, e => Assert.Equal(Payload(e.PersistenceId, e.SequenceNr), e.Payload.ToArray()));
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task Replay_all_stops_only_the_ids_in_a_damaged_segment()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("a", 1, 2), Write("b", 1, 1)]);
        var damaged = await WriteSegmentAsync(journal, Write("c", 1, 1), Write("a", 3, 1));
        await journal.WriteAsync([Write("b", 2, 2), Write("a", 4, 1), Write("c", 2, 1)]);

        await ExecuteSqlAsync("UPDATE journal_segment SET checksum = checksum + 1 WHERE segment_nr = @nr", ("nr", damaged));

        var events = await ListAsync(journal.ReplayAllAsync());
        Assert.Equal([("a", 1L), ("a", 2L), ("b", 1L), ("b", 2L), ("b", 3L)], events.Select(e => (e.PersistenceId, e.SequenceNr)));
        var errors = JournalErrors();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("of a stopped at sequence number 3", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("of c stopped at sequence number 1", StringComparison.Ordinal));
        Assert.All(errors, e => Assert.Contains("checksum", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_garbled_content_byte_stops_replay_at_the_last_valid_event_and_is_logged()
    {
        var journal = await OpenAsync();
        var segments = await WriteEachAsync(journal, "p", 5);
        await journal.WriteAsync([Write("other", 1, 2)]);

        await FlipSegmentContentByteAsync(segments[2], 3);

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
        var error = Assert.Single(JournalErrors());
        Assert.Contains("of p stopped", error, StringComparison.Ordinal);
        Assert.Contains("sequence number 3", error, StringComparison.Ordinal);
        Assert.Contains("checksum", error, StringComparison.Ordinal);
        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "other", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("p"));

        // Replay from after the damage is not stopped by it.
        Assert.Equal([4L, 5L], await SequenceNrsAsync(journal, "p", 4, long.MaxValue, long.MaxValue));
        Assert.Single(JournalErrors());
    }

    [Fact]
    public async Task A_damaged_segment_of_one_id_leaves_the_other_ids_whole()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("a", 1, 2)]);
        await journal.WriteAsync([Write("b", 1, 2)]);
        var damaged = await WriteSegmentAsync(journal, Write("a", 3, 2));
        await journal.WriteAsync([Write("b", 3, 2)]);
        await journal.WriteAsync([Write("a", 5, 1), Write("b", 5, 1)]);

        await FlipSegmentContentByteAsync(damaged, 1);

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], await SequenceNrsAsync(journal, "b", 1, long.MaxValue, long.MaxValue));
        var b = await ReplayIdAsync(journal, "b");
        Assert.All(b, e => Assert.Equal(Payload("b", e.SequenceNr), e.Payload.ToArray()));
        var error = Assert.Single(JournalErrors());
        Assert.Contains("of a stopped at sequence number 3", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_segment_holding_two_ids_stops_both_and_no_other()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("a", 1, 2), Write("c", 1, 1)]);
        var damaged = await WriteSegmentAsync(journal, Write("a", 3, 1), Write("b", 1, 2));
        await journal.WriteAsync([Write("a", 4, 1), Write("b", 3, 1), Write("c", 2, 1)]);

        await TruncateSegmentContentAsync(damaged, 2);

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));
        Assert.Empty(await ReplayIdAsync(journal, "b"));
        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "c", 1, long.MaxValue, long.MaxValue));
        var errors = JournalErrors();
        Assert.Equal(2, errors.Count);
        Assert.Contains("of a stopped at sequence number 3", errors[0], StringComparison.Ordinal);
        Assert.Contains("of b stopped at sequence number 1", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_torn_last_segment_is_not_returned()
    {
        var journal = await OpenAsync();
        var segments = await WriteEachAsync(journal, "p", 3);

        await TruncateSegmentContentAsync(segments[2], 5);

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
        Assert.Contains("sequence number 3", Assert.Single(JournalErrors()), StringComparison.Ordinal);
        Assert.Equal(3, await journal.ReadHighestSequenceNrAsync("p"));
    }

    [Fact]
    public async Task A_segment_zeroed_from_a_torn_page_on_is_not_returned()
    {
        var journal = await OpenAsync();

        // Large enough to be stored deflated: the zeros land in the middle of the compressed stream.
        var large = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 400).Select(i => $"span-{i % 37};")));
        await journal.WriteAsync([Write("p", 1, 2)]);
        var torn = await WriteSegmentAsync(journal, new AtomicWrite("p", 3, 1, large), Write("q", 1, 1));
        var length = Convert.ToInt32(await ExecuteSqlAsync("SELECT length(content) FROM journal_segment WHERE segment_nr = @nr", ("nr", torn)),
            CultureInfo.InvariantCulture);

        await ZeroSegmentContentFromAsync(torn, length / 2);

        Assert.Equal(length, Convert.ToInt32(await ExecuteSqlAsync("SELECT length(content) FROM journal_segment WHERE segment_nr = @nr", ("nr", torn)),
            CultureInfo.InvariantCulture));
        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
        Assert.Empty(await ReplayIdAsync(journal, "q"));
        Assert.Equal(2, JournalErrors().Count);
    }

    [Fact]
    public async Task A_garbled_checksum_or_write_time_stops_replay()
    {
        var journal = await OpenAsync();
        var checksum = await WriteEachAsync(journal, "checksum", 4);
        var written = await WriteEachAsync(journal, "written", 4);

        await ExecuteSqlAsync("UPDATE journal_segment SET checksum = checksum + 1 WHERE segment_nr = @nr", ("nr", checksum[1]));

        // The write time is covered by the checksum: a changed one is damage too.
        await ExecuteSqlAsync("UPDATE journal_segment SET written_at = written_at + 1 WHERE segment_nr = @nr", ("nr", written[3]));

        Assert.Equal([1L], await SequenceNrsAsync(journal, "checksum", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(journal, "written", 1, long.MaxValue, long.MaxValue));
        var errors = JournalErrors();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("checksum", e, StringComparison.Ordinal));
        Assert.Contains("of checksum stopped at sequence number 2", errors[0], StringComparison.Ordinal);
        Assert.Contains("of written stopped at sequence number 4", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_garbled_summary_makes_the_segment_unreadable_and_each_of_its_ids_ends_at_the_gap()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("p", 1, 2), Write("q", 1, 1)]);
        var garbled = await WriteSegmentAsync(journal, Write("p", 3, 1), Write("q", 2, 2));
        await journal.WriteAsync([Write("p", 4, 2), Write("q", 4, 1)]);
        await journal.WriteAsync([Write("r", 1, 3)]);

        await ExecuteSqlAsync("UPDATE journal_segment SET summary = @summary WHERE segment_nr = @nr", ("summary", new byte[] { 0xFF, 0x00, 0x7F }), ("nr", garbled));

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([1L], await SequenceNrsAsync(journal, "q", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(journal, "r", 1, long.MaxValue, long.MaxValue));

        // Which ids the row held is unknown, so every replay that passes it reports it; only p and q stop.
        var errors = JournalErrors();
        var stopped = errors.Where(e => e.Contains("stopped", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, stopped.Count);
        Assert.Contains("of p stopped at sequence number 3", stopped[0], StringComparison.Ordinal);
        Assert.Contains("of q stopped at sequence number 2", stopped[1], StringComparison.Ordinal);
        Assert.All(stopped, e => Assert.Contains("missing", e, StringComparison.Ordinal));
        Assert.NotEmpty(errors.Except(stopped));
        Assert.All(errors.Except(stopped), e => Assert.Contains($"segment {garbled} cannot be read", e, StringComparison.Ordinal));

        // The damaged row does not keep the journal from opening, and replay over it stays the same.
        await journal.DisposeAsync();
        var reopened = await OpenAsync();
        var all = await ListAsync(reopened.ReplayAllAsync());
        Assert.Equal(
            [("p", 1L), ("p", 2L), ("q", 1L), ("r", 1L), ("r", 2L), ("r", 3L)],
            all.Select(e => (e.PersistenceId, e.SequenceNr)));
    }

    [Theory]
    [InlineData("unknown encoding")]
    [InlineData("record cut short")]
    [InlineData("bytes after the last event")]
    [InlineData("deflated stream cut short")]
    [InlineData("deflated length overstated")]
    public async Task Content_that_passes_the_checksum_but_cannot_be_decoded_stops_replay(string damage)
    {
        // As a buggy writer would store it: the checksum matches, so only decoding can tell.
        var journal = await OpenAsync();
        var deflated = damage.StartsWith("deflated", StringComparison.Ordinal);
        var payload = deflated ? Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"attr-{i % 11}="))) : Payload("p", 2);
        await journal.WriteAsync([Write("p", 1, 1)]);
        var bad = await WriteSegmentAsync(journal, new AtomicWrite("p", 2, 1, payload), Write("other", 1, 1));
        await journal.WriteAsync([Write("p", 3, 1), Write("other", 2, 1)]);

        await RewriteSegmentContentAsync(bad, content =>
        {
            Assert.Equal(deflated ? 1 : 0, content[0]);
            return damage switch
            {
                "unknown encoding" => [7, .. content[1..]],
                "record cut short" => content[..^2],
                "bytes after the last event" => [.. content, 0],
                "deflated stream cut short" => content[..(content.Length / 2)],
                "deflated length overstated" => OverstateDeflatedLength(content),
                _ => throw new ArgumentOutOfRangeException(nameof(damage)),
            };
        });

        var p = await SequenceNrsAsync(journal, "p", 1, long.MaxValue, long.MaxValue);
        var other = await SequenceNrsAsync(journal, "other", 1, long.MaxValue, long.MaxValue);

        Assert.Equal([1L], p);
        Assert.Empty(other);
        var errors = JournalErrors();
        Assert.Equal(2, errors.Count);
        Assert.Contains("of p stopped at sequence number 2", errors[0], StringComparison.Ordinal);
        Assert.Contains("of other stopped at sequence number 1", errors[1], StringComparison.Ordinal);
        Assert.All(errors, e => Assert.Contains("cannot be decoded", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_event_stops_replay_at_the_gap_and_a_missing_tail_is_logged()
    {
        var journal = await OpenAsync();
        var gap = await WriteEachAsync(journal, "gap", 5);
        var tail = await WriteEachAsync(journal, "tail", 5);

        await ExecuteSqlAsync("DELETE FROM journal_segment WHERE segment_nr = @nr", ("nr", gap[2]));
        await ExecuteSqlAsync("DELETE FROM journal_segment WHERE segment_nr >= @nr", ("nr", tail[3]));

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "gap", 1, long.MaxValue, long.MaxValue));
        var gapError = Assert.Single(JournalErrors());
        Assert.Contains("sequence number 3", gapError, StringComparison.Ordinal);
        Assert.Contains("missing", gapError, StringComparison.Ordinal);
        Assert.Equal([1L, 2L, 3L], await SequenceNrsAsync(journal, "tail", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(2, JournalErrors().Count);
        Assert.Contains("of tail stopped at sequence number 4", JournalErrors()[1], StringComparison.Ordinal);

        // A replay that stops before the missing tail has nothing to report.
        Assert.Equal([2L, 3L], await SequenceNrsAsync(journal, "tail", 2, 3, long.MaxValue));
        Assert.Equal(2, JournalErrors().Count);
    }

    [Fact]
    public async Task Size_is_the_stored_segments_bytes_and_shrinks_only_when_a_segment_holds_nothing_undeleted()
    {
        var journal = await OpenAsync();
        Assert.Equal(0, await journal.ApproximateSizeBytesAsync());

        await journal.WriteAsync([Write("a", 1, 4), Write("b", 1, 2)]);
        var first = await journal.ApproximateSizeBytesAsync();
        Assert.True(first > 0, $"size {first} after a write");
        Assert.Equal(await StoredColumnBytesAsync(), first);

        await journal.WriteAsync([Write("a", 5, 1)]);
        var both = await journal.ApproximateSizeBytesAsync();
        Assert.True(both > first, $"size {both} after a second write, {first} before it");
        Assert.Equal(await StoredColumnBytesAsync(), both);
        Assert.Equal(2, await SegmentCountAsync());

        // The first segment still holds b's events, the second a's fifth.
        await journal.DeleteUpToAsync("a", 4);
        Assert.Equal(both, await journal.ApproximateSizeBytesAsync());
        Assert.Equal(2, await SegmentCountAsync());

        await journal.DeleteUpToAsync("a", 5);
        Assert.Equal(first, await journal.ApproximateSizeBytesAsync());
        Assert.Equal(1, await SegmentCountAsync());

        await journal.DeleteUpToAsync("b", 1);
        Assert.Equal(first, await journal.ApproximateSizeBytesAsync());
        Assert.Equal(1, await SegmentCountAsync());

        await journal.DeleteUpToAsync("b", long.MaxValue);
        Assert.Equal(0, await journal.ApproximateSizeBytesAsync());
        Assert.Equal(0, await SegmentCountAsync());
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("a"));
        Assert.Equal(2, await journal.ReadHighestSequenceNrAsync("b"));
        Assert.Empty(await ListAsync(journal.ReplayAllAsync()));
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task Deleted_events_segments_are_removed_once_no_id_in_them_has_an_event_left()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("a", 1, 1), Write("b", 1, 1)]);
        await journal.WriteAsync([Write("a", 2, 1)]);
        await journal.WriteAsync([Write("b", 2, 1), Write("c", 1, 1)]);
        await journal.WriteAsync([Write("a", 3, 1)]);
        Assert.Equal(4, await SegmentCountAsync());

        await journal.DeleteUpToAsync("a", 2);
        Assert.Equal(3, await SegmentCountAsync());

        await journal.DeleteUpToAsync([("b", 2), ("c", 1)]);
        Assert.Equal(1, await SegmentCountAsync());
        Assert.Equal([3L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));

        await journal.DeleteUpToAsync("a", 3);
        Assert.Equal(0, await SegmentCountAsync());
        Assert.Equal(0, await journal.ApproximateSizeBytesAsync());
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task One_payload_shared_by_many_events_is_stored_once()
    {
        const int Ids = 20;
        var journal = await OpenAsync();

        // Random bytes do not deflate, so only storing them once keeps the segment small.
        var payload = new byte[64 * 1024];
        new Random(7).NextBytes(payload);
        await journal.WriteAsync([.. Enumerable.Range(0, Ids).Select(i => new AtomicWrite($"shard-{i:D4}", 1, 3, payload))]);

        for (var i = 0; i < Ids; i++)
        {
            var e = Assert.Single(await ReplayIdAsync(journal, $"shard-{i:D4}"));
            Assert.Equal(3, e.EventType);
            Assert.Equal(payload, e.Payload.ToArray());
        }

        Assert.InRange(await journal.ApproximateSizeBytesAsync(), payload.Length, payload.Length + 4096);
        Assert.Equal(1, await SegmentCountAsync());
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task A_shared_compressible_payload_is_stored_in_less_than_one_copy_of_it()
    {
        const int Ids = 20;
        var journal = await OpenAsync();
        var payload = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 12000).Select(i => $"k{i % 13}=v{i % 7};")))[..(64 * 1024)];

        // Two events of each id carry the same bytes, as one request's spans appended to many shards do.
        await journal.WriteAsync([.. Enumerable.Range(0, Ids).Select(i =>
            new AtomicWrite($"shard-{i:D4}", 1, [new PendingEvent(1, payload), new PendingEvent(2, payload)]))]);

        var events = await ListAsync(journal.ReplayAllAsync());
        Assert.Equal(Ids * 2, events.Count);
        Assert.All(events, e => Assert.Equal(payload, e.Payload.ToArray()));
        var size = await journal.ApproximateSizeBytesAsync();
        Assert.True(size < payload.Length, $"{Ids * 2} events of one {payload.Length}-byte payload take {size} bytes");
        Assert.True(size > 0, "the segment takes no bytes");
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
    public async Task Segments_survive_reopening_and_are_dropped_when_their_events_are_deleted_after_it()
    {
        var first = await OpenAsync();
        await first.WriteAsync([Write("a", 1, 2), Write("b", 1, 1)]);
        await first.WriteAsync([Write("a", 3, 1)]);
        await first.WriteAsync([Write("b", 2, 1)]);
        await first.DeleteUpToAsync("a", 2);
        var size = await first.ApproximateSizeBytesAsync();
        await first.DisposeAsync();

        var second = await OpenAsync();

        Assert.Equal(3, await SegmentCountAsync());
        Assert.Equal(size, await second.ApproximateSizeBytesAsync());
        Assert.Equal(
            [("b", 1L), ("a", 3L), ("b", 2L)],
            (await ListAsync(second.ReplayAllAsync())).Select(e => (e.PersistenceId, e.SequenceNr)));

        // The reopened journal knows which ids each stored segment holds.
        await second.DeleteUpToAsync("b", 2);
        Assert.Equal(1, await SegmentCountAsync());
        await second.DeleteUpToAsync("a", 3);
        Assert.Equal(0, await SegmentCountAsync());
        Assert.Equal(0, await second.ApproximateSizeBytesAsync());

        await second.WriteAsync([Write("a", 4, 1)]);
        Assert.Equal([4L], await SequenceNrsAsync(second, "a", 1, long.MaxValue, long.MaxValue));
        Assert.Empty(JournalErrors());
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
        Assert.Equal(2, await SegmentCountAsync());
    }

    [Fact]
    public async Task Deleting_through_one_journal_never_drops_a_segment_written_after_it_opened()
    {
        // The second journal learned of the first segment when it opened; by the time it deletes past it, that
        // segment is gone and newer ones were written through the first journal. They must stay.
        var first = await OpenAsync();
        await first.WriteAsync([Write("p", 1, 1)]);
        var second = await OpenAsync();
        await first.WriteAsync([Write("p", 2, 1)]);
        await first.DeleteUpToAsync("p", 2);
        await first.WriteAsync([Write("q", 1, 1)]);
        await first.WriteAsync([Write("p", 3, 1)]);

        await second.DeleteUpToAsync("p", 3);

        Assert.Equal([1L], await SequenceNrsAsync(first, "q", 1, long.MaxValue, long.MaxValue));
        Assert.Equal([1L], await SequenceNrsAsync(second, "q", 1, long.MaxValue, long.MaxValue));
        Assert.Empty(JournalErrors());
    }

    [Fact]
    public async Task Segments_whose_events_were_deleted_through_another_journal_are_dropped_at_the_next_open()
    {
        var deleter = await OpenAsync();
        var writer = await OpenAsync();
        await writer.WriteAsync([Write("p", 1, 2)]);
        await writer.WriteAsync([Write("q", 1, 1)]);

        await deleter.DeleteUpToAsync("p", 2);
        Assert.Empty(await ReplayIdAsync(deleter, "p"));
        await writer.DisposeAsync();
        await deleter.DisposeAsync();

        var reopened = await OpenAsync();

        Assert.Equal(1, await SegmentCountAsync());
        Assert.Equal(await StoredColumnBytesAsync(), await reopened.ApproximateSizeBytesAsync());
        Assert.Equal([("q", 1L)], (await ListAsync(reopened.ReplayAllAsync())).Select(e => (e.PersistenceId, e.SequenceNr)));
        Assert.Empty(JournalErrors());
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

        // Slices of one array that start or end elsewhere are different payloads, not one stored once.
        await journal.WriteAsync(
        [
            new AtomicWrite("p", 1, [new PendingEvent(1, large), new PendingEvent(2, ReadOnlyMemory<byte>.Empty), new PendingEvent(-3, slice)]),
            new AtomicWrite("q", 1, [new PendingEvent(4, backing.AsMemory(2, 3)), new PendingEvent(5, backing.AsMemory(3, 5)), new PendingEvent(6, backing)]),
            new AtomicWrite("p", 4, [new PendingEvent(int.MinValue, slice), new PendingEvent(int.MaxValue, large.AsMemory(1))]),
        ]);

        var events = await ReplayIdAsync(journal, "p");
        Assert.Equal(5, events.Count);
        Assert.Equal(large, events[0].Payload.ToArray());
        Assert.Equal(0, events[1].Payload.Length);
        Assert.Equal("slice"u8.ToArray(), events[2].Payload.ToArray());
        Assert.Equal(-3, events[2].EventType);
        Assert.Equal("slice"u8.ToArray(), events[3].Payload.ToArray());
        Assert.Equal(int.MinValue, events[3].EventType);
        Assert.Equal(large[1..], events[4].Payload.ToArray());
        Assert.Equal(int.MaxValue, events[4].EventType);
        var q = await ReplayIdAsync(journal, "q");
        Assert.Equal(["sli", "licey", "xxsliceyy"], q.Select(e => Encoding.UTF8.GetString(e.Payload.Span)));
        Assert.Equal([4, 5, 6], q.Select(e => e.EventType));
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
        Assert.Equal(2, await SegmentCountAsync());
    }

    [Fact]
    public async Task A_deletion_that_failed_never_lets_a_shared_segment_be_dropped()
    {
        // One segment holds a and b. Deleting a fails; deleting b then succeeds. Had the failed mark counted, the
        // segment would look fully deleted and be dropped, and a's events (never deleted) would be gone.
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("a", 1, 2), Write("b", 1, 2)]);

        await using (await MakeUnavailableAsync())
        {
            await Assert.ThrowsAnyAsync<Exception>(() => journal.DeleteUpToAsync("a", 2));
        }

        await journal.DeleteUpToAsync("b", 2);

        Assert.Equal([1L, 2L], await SequenceNrsAsync(journal, "a", 1, long.MaxValue, long.MaxValue));
        Assert.Equal(1, await SegmentCountAsync());
        await journal.DeleteUpToAsync("a", 2);
        Assert.Equal(0, await SegmentCountAsync());
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

    /// <summary>Commits the writes as one segment and returns its number (the newest row).</summary>
    protected async Task<long> WriteSegmentAsync(IJournal journal, params AtomicWrite[] writes)
    {
        ArgumentNullException.ThrowIfNull(journal);
        await journal.WriteAsync(writes);
        return Convert.ToInt64(await ExecuteSqlAsync("SELECT MAX(segment_nr) FROM journal_segment"), CultureInfo.InvariantCulture);
    }

    /// <summary>Writes events 1..count of an id one per commit; element i is the segment of event i + 1.</summary>
    protected async Task<List<long>> WriteEachAsync(IJournal journal, string persistenceId, int count)
    {
        var segments = new List<long>();
        for (var seq = 1; seq <= count; seq++)
        {
            segments.Add(await WriteSegmentAsync(journal, Write(persistenceId, seq, 1)));
        }

        return segments;
    }

    protected async Task<long> SegmentCountAsync() =>
        Convert.ToInt64(await ExecuteSqlAsync("SELECT COUNT(*) FROM journal_segment"), CultureInfo.InvariantCulture);

    /// <summary>What the stored segments' summary and content columns take.</summary>
    protected async Task<long> StoredColumnBytesAsync() =>
        Convert.ToInt64(await ExecuteSqlAsync("SELECT COALESCE(SUM(length(summary) + length(content)), 0) FROM journal_segment"), CultureInfo.InvariantCulture);

    /// <summary>Flips one bit of a stored segment's content (a bad disk), leaving its checksum as it was.</summary>
    protected Task FlipSegmentContentByteAsync(long segmentNr, int index) =>
        RewriteSegmentContentAsync(segmentNr, content =>
        {
            content[Math.Min(index, content.Length - 1)] ^= 0x40;
            return content;
        }, keepChecksumValid: false);

    /// <summary>Replaces a stored segment's content with a changed copy; by default with a checksum that matches it.</summary>
    protected async Task RewriteSegmentContentAsync(long segmentNr, Func<byte[], byte[]> change, bool keepChecksumValid = true)
    {
        ArgumentNullException.ThrowIfNull(change);
        var (writtenAt, summary, stored) = await ReadSegmentAsync(segmentNr);
        var content = change(stored);
        if (keepChecksumValid)
        {
            await ExecuteSqlAsync("UPDATE journal_segment SET content = @content, checksum = @checksum WHERE segment_nr = @nr",
                ("content", content), ("checksum", SegmentChecksum(writtenAt, summary, content)), ("nr", segmentNr));
        }
        else
        {
            await ExecuteSqlAsync("UPDATE journal_segment SET content = @content WHERE segment_nr = @nr", ("content", content), ("nr", segmentNr));
        }
    }

    /// <summary>A stored segment's columns, as the journal reads them.</summary>
    protected async Task<(long WrittenAt, byte[] Summary, byte[] Content)> ReadSegmentAsync(long segmentNr)
    {
        var writtenAt = Convert.ToInt64(
            await ExecuteSqlAsync("SELECT written_at FROM journal_segment WHERE segment_nr = @nr", ("nr", segmentNr)), CultureInfo.InvariantCulture);
        var summary = (byte[])(await ExecuteSqlAsync("SELECT summary FROM journal_segment WHERE segment_nr = @nr", ("nr", segmentNr)))!;
        var content = (byte[])(await ExecuteSqlAsync("SELECT content FROM journal_segment WHERE segment_nr = @nr", ("nr", segmentNr)))!;
        return (writtenAt, summary, content);
    }

    /// <summary>The documented segment checksum: CRC-32C over the write time (little-endian int64), the summary and the content.</summary>
    protected static long SegmentChecksum(long writtenAtUnixMs, byte[] summary, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(content);
        var covered = new byte[sizeof(long) + summary.Length + content.Length];
        BinaryPrimitives.WriteInt64LittleEndian(covered, writtenAtUnixMs);
        summary.CopyTo(covered, sizeof(long));
        content.CopyTo(covered, sizeof(long) + summary.Length);
        return Crc32C.Compute(covered);
    }

    private static byte[] OverstateDeflatedLength(byte[] content)
    {
        // Deflated content: the marker byte, the inflated length as a varint, then the deflate stream.
        ulong length = 0;
        var position = 1;
        for (var shift = 0; ; shift += 7)
        {
            var b = content[position++];
            length |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        var rewritten = new List<byte> { content[0] };
        for (var value = length + 1; ; value >>= 7)
        {
            if (value < 0x80)
            {
                rewritten.Add((byte)value);
                break;
            }

            rewritten.Add((byte)(value | 0x80));
        }

        rewritten.AddRange(content[position..]);
        return [.. rewritten];
    }

    private static async Task<List<JournalEvent>> ReplayIdAsync(IJournal journal, string persistenceId) =>
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
