namespace OtelTailSampler.Persistence;

/// <summary>
/// Deletions of many persistence ids in one journal transaction: what group commit is to writes. Each trace shard
/// truncates on its own (a hundred a node, about once a second each), and each deletion alone would be a
/// transaction of its own, synced, holding the journal's write lock against the writer's commits. A deletion asked
/// for while another runs waits for it and goes in the next transaction with every other one asked meanwhile.
/// </summary>
internal sealed class GroupedDeletions(IJournal journal)
{
    private readonly Lock _gate = new();
    private Dictionary<string, (long UpTo, List<TaskCompletionSource> Waiters)> _queued = new(StringComparer.Ordinal);
    private bool _running;

    /// <summary>Deletes the id's events up to <paramref name="toSequenceNr"/>, with whatever else is queued by then.</summary>
    public Task DeleteUpToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            if (_queued.TryGetValue(persistenceId, out var queued))
            {
                queued.Waiters.Add(done);
                _queued[persistenceId] = (Math.Max(queued.UpTo, toSequenceNr), queued.Waiters);
            }
            else
            {
                _queued[persistenceId] = (toSequenceNr, [done]);
            }

            start = !_running;
            _running = true;
        }

        if (start)
        {
            _ = Task.Run(RunAsync, CancellationToken.None);
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        while (true)
        {
            Dictionary<string, (long UpTo, List<TaskCompletionSource> Waiters)> batch;
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _running = false;
                    return;
                }

                batch = _queued;
                _queued = new(StringComparer.Ordinal);
            }

            try
            {
                await journal.DeleteUpToAsync([.. batch.Select(entry => (entry.Key, entry.Value.UpTo))], CancellationToken.None);
                foreach (var waiter in batch.Values.SelectMany(entry => entry.Waiters))
                {
                    waiter.TrySetResult();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                foreach (var waiter in batch.Values.SelectMany(entry => entry.Waiters))
                {
                    waiter.TrySetException(e);
                }
            }
        }
    }
}
