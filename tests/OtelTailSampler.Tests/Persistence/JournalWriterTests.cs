using OtelTailSampler.Persistence;
using OtelTailSampler.Tests.Export.File;

namespace OtelTailSampler.Tests.Persistence;

public sealed class JournalWriterTests : IAsyncDisposable
{
    private readonly ScriptedJournal _journal = new();
    private readonly ListLogger<JournalWriter> _logger = new();
    private JournalWriter _writer;

    public JournalWriterTests()
    {
        _writer = new JournalWriter(_journal, new JournalWriterOptions(), _logger);
    }

    public async ValueTask DisposeAsync()
    {
        _journal.Release();
        await _writer.DisposeAsync();
        await _journal.DisposeAsync();
    }

    [Fact]
    public async Task A_lone_write_commits_at_once_in_its_own_batch()
    {
        var write = Write("a", 1);

        await _writer.AppendAsync(write);

        var call = Assert.Single(_journal.Calls);
        Assert.Same(write, Assert.Single(call));
        Assert.Equal(1, _writer.BatchesCommitted);
        Assert.True(_writer.Healthy);
    }

    [Fact]
    public async Task Writes_that_arrive_while_a_commit_is_in_flight_go_together_in_the_next_one()
    {
        var first = await StartHeldCommitAsync(Write("a", 1));

        var waiting = Enumerable.Range(0, 4).Select(i => Write($"b{i}", 1)).ToList();
        var appends = waiting.Select(w => _writer.AppendAsync(w).AsTask()).ToList();
        Assert.Single(_journal.Calls);
        Assert.All(appends, append => Assert.False(append.IsCompleted));

        _journal.Release();
        await first;
        await Task.WhenAll(appends);

        Assert.Equal(2, _journal.Calls.Count);
        Assert.Equal(waiting, _journal.Calls[1]);
        Assert.Equal(2, _writer.BatchesCommitted);
    }

    [Fact]
    public async Task Batches_are_bounded_by_count_and_bytes()
    {
        await _writer.DisposeAsync();
        _writer = new JournalWriter(_journal, new JournalWriterOptions { MaxBatchWrites = 3, MaxBatchBytes = 100 }, _logger);
        var first = await StartHeldCommitAsync(Write("first", 1));

        var small = Enumerable.Range(0, 4).Select(i => Write($"s{i}", 1, payloadBytes: 10)).ToList();
        var large = Write("large", 1, payloadBytes: 250);
        var after = Write("after", 1, payloadBytes: 60);
        var last = Write("last", 1, payloadBytes: 60);
        var appends = small.Append(large).Append(after).Append(last).Select(w => _writer.AppendAsync(w).AsTask()).ToList();
        _journal.Release();
        await first;
        await Task.WhenAll(appends);

        Assert.Equal(
            [["first"], ["s0", "s1", "s2"], ["s3"], ["large"], ["after"], ["last"]],
            _journal.Calls.Select(call => call.Select(w => w.PersistenceId).ToArray()));
    }

    [Fact]
    public async Task Bytes_shared_by_several_writes_count_once_toward_the_byte_bound()
    {
        // One request's bytes appended to many shards: the segment stores them once, so the batch may hold them all.
        await _writer.DisposeAsync();
        _writer = new JournalWriter(_journal, new JournalWriterOptions { MaxBatchBytes = 100 }, _logger);
        var first = await StartHeldCommitAsync(Write("first", 1));

        var request = new byte[60];
        var shards = Enumerable.Range(0, 10).Select(i => new AtomicWrite($"shard-{i}", 1, 1, request)).ToList();
        var other = Write("other", 1, payloadBytes: 60);
        var appends = shards.Append(other).Select(w => _writer.AppendAsync(w).AsTask()).ToList();
        _journal.Release();
        await first;
        await Task.WhenAll(appends);

        Assert.Equal(3, _journal.Calls.Count);
        Assert.Equal(shards, _journal.Calls[1]);
        Assert.Equal(["other"], _journal.Calls[2].Select(w => w.PersistenceId));
    }

    [Fact]
    public async Task A_failed_commit_fails_only_its_callers_marks_the_writer_unhealthy_and_the_next_batch_recovers()
    {
        var first = await StartHeldCommitAsync(Write("a", 1));
        var failure = new IOException("disk gone");
        _journal.Then(failure);
        var failing = new[] { Write("b", 1), Write("c", 1) }.Select(w => _writer.AppendAsync(w).AsTask()).ToList();

        _journal.Release();
        await first;
        foreach (var append in failing)
        {
            Assert.Same(failure, await Assert.ThrowsAsync<IOException>(() => append));
        }

        Assert.False(_writer.Healthy);
        Assert.Same(failure, _writer.LastError);
        Assert.Contains(_logger.Entries, e => e.Exception == failure);

        await _writer.AppendAsync(Write("b", 1));
        Assert.True(_writer.Healthy);
        Assert.Null(_writer.LastError);
        Assert.Equal(2, _writer.BatchesCommitted);
    }

    [Fact]
    public async Task A_rejected_write_fails_alone_with_its_ids_later_writes_and_the_rest_is_committed_again()
    {
        var first = await StartHeldCommitAsync(Write("first", 1));
        var batch = new[] { Write("a", 1), Write("b", 7), Write("c", 1), Write("b", 8), Write("d", 1) };
        var conflict = new SequenceNumberConflictException("b", 3, 7, writeIndex: 1);
        _journal.Then(conflict);
        var appends = batch.Select(w => _writer.AppendAsync(w).AsTask()).ToList();

        _journal.Release();
        await first;

        Assert.Same(conflict, await Assert.ThrowsAsync<SequenceNumberConflictException>(() => appends[1]));
        Assert.Same(conflict, await Assert.ThrowsAsync<SequenceNumberConflictException>(() => appends[3]));
        await appends[0];
        await appends[2];
        await appends[4];
        Assert.Equal(["a", "c", "d"], _journal.Calls[^1].Select(w => w.PersistenceId));
        Assert.True(_writer.Healthy);
    }

    [Fact]
    public async Task A_cancelled_write_still_waiting_in_the_queue_is_not_written()
    {
        var first = await StartHeldCommitAsync(Write("a", 1));
        using var cancel = new CancellationTokenSource();
        var cancelled = _writer.AppendAsync(Write("cancelled", 1), cancel.Token).AsTask();
        var kept = _writer.AppendAsync(Write("kept", 1)).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _journal.Release();
        await first;
        await kept;

        Assert.Equal(["kept"], _journal.Calls[^1].Select(w => w.PersistenceId));
    }

    [Fact]
    public async Task A_numbered_write_queued_with_enqueue_is_committed_even_when_its_caller_gives_up()
    {
        // The shard journal numbers the next write after this one: dropping it would leave a gap that fails them all.
        var first = await StartHeldCommitAsync(Write("a", 1));
        using var cancel = new CancellationTokenSource();
        var committed = await _writer.EnqueueAsync(Write("shard", 1), cancel.Token);
        var next = await _writer.EnqueueAsync(Write("shard", 2));

        await cancel.CancelAsync();
        _journal.Release();
        await first;
        await committed;
        await next;

        Assert.Equal([("shard", 1L), ("shard", 2L)], _journal.Calls[^1].Select(w => (w.PersistenceId, w.FirstSequenceNr)));
    }

    [Fact]
    public async Task Dispose_commits_what_is_queued_and_later_appends_are_refused()
    {
        var first = await StartHeldCommitAsync(Write("a", 1));
        var queued = _writer.AppendAsync(Write("b", 1)).AsTask();

        var disposing = _writer.DisposeAsync().AsTask();
        _journal.Release();
        await disposing;
        await first;
        await queued;

        Assert.Equal(2, _journal.Calls.Count);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _writer.AppendAsync(Write("c", 1)).AsTask());
    }

    [Fact]
    public async Task Metrics_show_the_writes_waiting_and_what_each_commit_carried()
    {
        await _writer.DisposeAsync();
        using var metrics = new JournalMetrics();
        using var readings = new JournalReadings(metrics);
        _writer = new JournalWriter(_journal, new JournalWriterOptions(), _logger, metrics);
        var first = await StartHeldCommitAsync(Write("a", 1, payloadBytes: 100));
        var appends = Enumerable.Range(0, 3).Select(i => _writer.AppendAsync(Write($"b{i}", 1, payloadBytes: 10)).AsTask()).ToList();

        Assert.Equal(4, readings.QueuedWrites());

        _journal.Release();
        await first;
        await Task.WhenAll(appends);

        Assert.Equal(0, readings.QueuedWrites());
        Assert.Equal(4, readings.Sum("otelsampler.journal.committed_writes"));
        Assert.Equal(130, readings.Sum("otelsampler.journal.committed_bytes"));
        Assert.Equal(2, readings.Commits("committed"));
        Assert.Equal(0, readings.Commits("failed"));
    }

    [Fact]
    public async Task A_failed_commit_is_timed_as_failed_and_commits_nothing()
    {
        await _writer.DisposeAsync();
        using var metrics = new JournalMetrics();
        using var readings = new JournalReadings(metrics);
        _writer = new JournalWriter(_journal, new JournalWriterOptions(), _logger, metrics);
        _journal.Then(new IOException("disk full"));

        await Assert.ThrowsAsync<IOException>(() => _writer.AppendAsync(Write("a", 1)).AsTask());

        Assert.Equal(1, readings.Commits("failed"));
        Assert.Equal(0, readings.Sum("otelsampler.journal.committed_writes"));
        Assert.Equal(0, readings.QueuedWrites());
    }

    private static AtomicWrite Write(string persistenceId, long sequenceNr, int payloadBytes = 1) =>
        new(persistenceId, sequenceNr, 1, new byte[payloadBytes]);

    /// <summary>Appends a write whose commit the journal holds; returns once the commit has started.</summary>
    private async Task<Task> StartHeldCommitAsync(AtomicWrite write)
    {
        _journal.HoldNextCall();
        var append = _writer.AppendAsync(write).AsTask();
        await _journal.CallHeld;
        return append;
    }
}
