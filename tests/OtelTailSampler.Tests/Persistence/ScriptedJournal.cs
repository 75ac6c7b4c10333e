using OtelTailSampler.Persistence;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>
/// A journal for testing <see cref="JournalWriter"/>: records each WriteAsync call, can hold a call until the test
/// releases it, and can fail calls with exceptions queued by the test.
/// </summary>
internal sealed class ScriptedJournal : IJournal
{
    private readonly object _gate = new();
    private readonly List<IReadOnlyList<AtomicWrite>> _calls = [];
    private readonly Queue<Exception?> _outcomes = new();
    private TaskCompletionSource _held = NewSignal();
    private TaskCompletionSource? _release;

    /// <summary>Every WriteAsync call so far, with its writes.</summary>
    public IReadOnlyList<IReadOnlyList<AtomicWrite>> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Makes the next WriteAsync call wait, once it has started, until <see cref="Release"/>.</summary>
    public void HoldNextCall()
    {
        lock (_gate)
        {
            _release = NewSignal();
            _held = NewSignal();
        }
    }

    /// <summary>Completes when a call held by <see cref="HoldNextCall"/> has started and is waiting.</summary>
    public Task CallHeld
    {
        get
        {
            lock (_gate)
            {
                return _held.Task;
            }
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

    /// <summary>The next call fails with this exception (null: succeeds); calls beyond the queue succeed.</summary>
    public void Then(Exception? outcome)
    {
        lock (_gate)
        {
            _outcomes.Enqueue(outcome);
        }
    }

    public async Task WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default)
    {
        Task? hold;
        Exception? outcome;
        lock (_gate)
        {
            _calls.Add([.. writes]);
            hold = _release?.Task;
            if (hold is not null)
            {
                _held.TrySetResult();
            }

            outcome = _outcomes.Count > 0 ? _outcomes.Dequeue() : null;
        }

        if (hold is not null)
        {
            await hold;
        }

        if (outcome is not null)
        {
            throw outcome;
        }
    }

    /// <summary>Every stream starts empty.</summary>
    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) => Task.FromResult(0L);

    public IAsyncEnumerable<JournalEvent> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public IAsyncEnumerable<JournalEvent> ReplayAllAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task DeleteUpToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task DeleteUpToAsync(IReadOnlyList<(string PersistenceId, long ToSequenceNr)> deletions, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public IAsyncEnumerable<string> PersistenceIdsAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<long> ApproximateSizeBytesAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
