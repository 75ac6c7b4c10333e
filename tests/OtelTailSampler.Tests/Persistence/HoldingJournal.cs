using OtelTailSampler.Persistence;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>
/// A real journal behind a decorator that records which persistence ids each transaction (WriteAsync call) wrote,
/// and can hold the next transaction until the test releases it, so writes queue up behind it.
/// </summary>
internal sealed class HoldingJournal(IJournal inner) : IJournal
{
    private readonly object _gate = new();
    private readonly List<string[]> _transactions = [];
    private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _release;

    /// <summary>The persistence ids of each transaction so far, one entry per atomic write.</summary>
    public IReadOnlyList<string[]> Transactions
    {
        get
        {
            lock (_gate)
            {
                return [.. _transactions];
            }
        }
    }

    /// <summary>Completes when the transaction held by <see cref="HoldNext"/> has started.</summary>
    public Task Held
    {
        get
        {
            lock (_gate)
            {
                return _held.Task;
            }
        }
    }

    public void HoldNext()
    {
        lock (_gate)
        {
            _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _release?.TrySetResult();
            _release = null;
        }
    }

    public async Task WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default)
    {
        Task? hold;
        lock (_gate)
        {
            _transactions.Add([.. writes.Select(write => write.PersistenceId)]);
            hold = _release?.Task;
            _held.TrySetResult();
        }

        if (hold is not null)
        {
            await hold;
        }

        await inner.WriteAsync(writes, cancellationToken);
    }

    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) =>
        inner.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);

    public IAsyncEnumerable<JournalEvent> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default) =>
        inner.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken);

    public IAsyncEnumerable<JournalEvent> ReplayAllAsync(CancellationToken cancellationToken = default) => inner.ReplayAllAsync(cancellationToken);

    public Task DeleteUpToAsync(IReadOnlyList<(string PersistenceId, long ToSequenceNr)> deletions, CancellationToken cancellationToken = default) =>
        inner.DeleteUpToAsync(deletions, cancellationToken);

    public IAsyncEnumerable<string> PersistenceIdsAsync(CancellationToken cancellationToken = default) => inner.PersistenceIdsAsync(cancellationToken);

    public Task<long> ApproximateSizeBytesAsync(CancellationToken cancellationToken = default) => inner.ApproximateSizeBytesAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
