using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Persistence;
using OtelTailSampler.Tests.Configuration;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>
/// Deletions of many persistence ids (every trace shard truncating) go to a real SQLite journal as few
/// transactions: those asked for while one runs share the next, and each caller hears of its own deletion.
/// </summary>
public sealed class GroupedDeletionsTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _directory = new();
    private SqliteJournal _sqlite = null!;
    private CountingJournal _journal = null!;

    public async Task InitializeAsync()
    {
        _sqlite = SqliteJournal.Open(new JournalOptions { SqlitePath = _directory.Path }, NullLogger<SqliteJournal>.Instance);
        _journal = new CountingJournal(_sqlite);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await _sqlite.WriteAsync([new AtomicWrite(id, 1, 1, new byte[] { 1 }), new AtomicWrite(id, 2, 1, new byte[] { 2 })]);
        }
    }

    public async Task DisposeAsync()
    {
        await _sqlite.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Deletions_asked_while_one_runs_share_the_next_transaction()
    {
        var deletions = new GroupedDeletions(_journal);
        _journal.HoldNext();
        var first = deletions.DeleteUpToAsync("a", 2, CancellationToken.None);
        await _journal.Held.WaitAsync(TimeSpan.FromSeconds(10));

        var second = deletions.DeleteUpToAsync("b", 1, CancellationToken.None);
        var third = deletions.DeleteUpToAsync("c", 2, CancellationToken.None);
        var againB = deletions.DeleteUpToAsync("b", 2, CancellationToken.None);
        Assert.False(second.IsCompleted);

        _journal.Release();
        await Task.WhenAll(first, second, third, againB).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([["a:2"], ["b:2", "c:2"]], _journal.Calls);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await foreach (var _ in _sqlite.ReplayAsync(id, 1, long.MaxValue, long.MaxValue))
            {
                Assert.Fail($"{id} still has events");
            }
        }
    }

    [Fact]
    public async Task A_failed_transaction_fails_every_deletion_in_it_and_the_next_one_runs()
    {
        var deletions = new GroupedDeletions(_journal);
        _journal.FailNext = new IOException("disk full");

        await Assert.ThrowsAsync<IOException>(() => deletions.DeleteUpToAsync("a", 2, CancellationToken.None));
        await deletions.DeleteUpToAsync("a", 2, CancellationToken.None);

        Assert.Equal(2, _journal.Calls.Count);
    }

    /// <summary>The SQLite journal, recording each deletion transaction; it can hold or fail the next one.</summary>
    private sealed class CountingJournal(IJournal inner) : IJournal
    {
        private readonly List<string[]> _calls = [];
        private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _release;
        private TaskCompletionSource? _holding;

        public IReadOnlyList<string[]> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public Task Held => _held.Task;

        public Exception? FailNext { get; set; }

        public void HoldNext()
        {
            _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void Release() => _holding?.TrySetResult();

        public async Task DeleteUpToAsync(IReadOnlyList<(string PersistenceId, long ToSequenceNr)> deletions, CancellationToken cancellationToken = default)
        {
            lock (_calls)
            {
                _calls.Add([.. deletions.Select(d => $"{d.PersistenceId}:{d.ToSequenceNr}").Order(StringComparer.Ordinal)]);
            }

            if (_release is { } release)
            {
                _release = null;
                _holding = release;
                _held.TrySetResult();
                await release.Task;
            }

            if (FailNext is { } failure)
            {
                FailNext = null;
                throw failure;
            }

            await inner.DeleteUpToAsync(deletions, cancellationToken);
        }

        public Task WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default) => inner.WriteAsync(writes, cancellationToken);

        public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) =>
            inner.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);

        public IAsyncEnumerable<JournalEvent> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default) =>
            inner.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken);

        public IAsyncEnumerable<JournalEvent> ReplayAllAsync(CancellationToken cancellationToken = default) => inner.ReplayAllAsync(cancellationToken);

        public IAsyncEnumerable<string> PersistenceIdsAsync(CancellationToken cancellationToken = default) => inner.PersistenceIdsAsync(cancellationToken);

        public Task<long> ApproximateSizeBytesAsync(CancellationToken cancellationToken = default) => inner.ApproximateSizeBytesAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
