using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OtelTailSampler.Persistence;

/// <summary>
/// Group commit in front of an <see cref="IJournal"/>. Callers append atomic writes; one loop takes everything
/// queued (up to a batch bound), commits it with a single <see cref="IJournal.WriteAsync"/>, completes every
/// caller, and repeats. Exactly one commit is in flight, and there is no timer: a lone write commits at once, and
/// batches form by themselves from what arrives while a commit is in flight, so the batch grows with the load and
/// the commit rate stays at what the disk can fsync.
/// </summary>
/// <remarks>
/// A journal failure fails the callers of that batch only; the loop goes on, so the node recovers when the database
/// does. A write rejected for its sequence number (another writer owns the id) fails alone, with the later writes of
/// its id in the batch: the rest of the batch is committed again without them. The journal is not disposed here.
/// </remarks>
public sealed partial class JournalWriter : IAsyncDisposable
{
    private readonly IJournal _journal;
    private readonly JournalWriterOptions _options;
    private readonly ILogger<JournalWriter> _logger;
    private readonly JournalMetrics? _metrics;
    private readonly Channel<Request> _queue;
    private readonly Task _loop;
    private volatile Exception? _lastError;
    private long _batchesCommitted;
    private volatile int _inFlight;

    /// <param name="metrics">Where commits are measured; none when null.</param>
    public JournalWriter(IJournal journal, JournalWriterOptions options, ILogger<JournalWriter> logger, JournalMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchWrites, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1);

        _journal = journal;
        _options = options;
        _logger = logger;
        _metrics = metrics;
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        metrics?.ObserveBacklog(() => _queue.Reader.Count + _inFlight);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>False after a commit failed for a reason other than a sequence conflict, until one succeeds again.</summary>
    public bool Healthy => _lastError is null;

    /// <summary>Why the last commit failed, while <see cref="Healthy"/> is false.</summary>
    public Exception? LastError => _lastError;

    /// <summary>Transactions committed so far.</summary>
    public long BatchesCommitted => Interlocked.Read(ref _batchesCommitted);

    /// <summary>
    /// Completes when the write is committed; throws the journal's exception when its batch failed. Cancelling stops
    /// the wait, and drops the write if it has not been taken into a batch yet; once taken, it may still be committed.
    /// </summary>
    public async ValueTask AppendAsync(AtomicWrite write, CancellationToken cancellationToken = default)
    {
        var committed = await QueueAsync(write, dropWhenCancelled: true, cancellationToken).ConfigureAwait(false);
        await committed.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Queues the write and returns, once it is queued, the task of its commit. Writes are committed in the
    /// order they were queued, so a caller that queues a persistence id's writes one at a time (under its own
    /// lock) gets them committed in sequence-number order without holding the lock through the commit. The token
    /// only stops the wait for room in the queue: a queued write is always committed (or fails), because the
    /// caller has numbered the writes after it on the assumption that it will be.
    /// </summary>
    public ValueTask<Task> EnqueueAsync(AtomicWrite write, CancellationToken cancellationToken = default) =>
        QueueAsync(write, dropWhenCancelled: false, cancellationToken);

    private async ValueTask<Task> QueueAsync(AtomicWrite write, bool dropWhenCancelled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var request = new Request(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
            dropWhenCancelled ? cancellationToken : CancellationToken.None);
        try
        {
            await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new ObjectDisposedException(nameof(JournalWriter), e);
        }

        return request.Done.Task;
    }

    /// <summary>Stops taking writes, commits those already queued, and waits for the loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Request>(Math.Min(_options.MaxBatchWrites, 1024));
        var payloads = new HashSet<PayloadIdentity>();
        Request? carried = null;
        while (carried is not null || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            payloads.Clear();
            long bytes = 0;
            while (batch.Count < _options.MaxBatchWrites && (carried is { } next || reader.TryRead(out next)))
            {
                carried = null;
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Done.TrySetCanceled(next.CancellationToken);
                    continue;
                }

                var added = NewPayloadBytes(next.Write, payloads);
                if (batch.Count > 0 && bytes + added > _options.MaxBatchBytes)
                {
                    // Starts the next batch: a single write larger than the bound still goes, alone.
                    carried = next;
                    break;
                }

                batch.Add(next);
                bytes += added;
            }

            if (batch.Count > 0)
            {
                _inFlight = batch.Count;
                await CommitAsync(batch, bytes).ConfigureAwait(false);
            }
        }
    }

    // A request's bytes appended to many shards are stored once per commit (see JournalSegment), so they count once.
    private static long NewPayloadBytes(AtomicWrite write, HashSet<PayloadIdentity> seen)
    {
        long bytes = 0;
        foreach (var pending in write.Events)
        {
            if (seen.Add(PayloadIdentity.Of(pending.Payload, unique: seen.Count)))
            {
                bytes += pending.Payload.Length;
            }
        }

        return bytes;
    }

    private async Task CommitAsync(List<Request> batch, long bytes)
    {
        while (batch.Count > 0)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                // Not cancellable: once a commit has started, its outcome must be learned, not abandoned.
                await _journal.WriteAsync(batch.ConvertAll(request => request.Write), CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _batchesCommitted);
                _metrics?.CommitSucceeded(started, batch.Count, bytes);
                _inFlight = 0;
                if (_lastError is not null)
                {
                    _lastError = null;
                    LogRecovered(_logger);
                }

                foreach (var request in batch)
                {
                    request.Done.TrySetResult();
                }

                return;
            }
            catch (SequenceNumberConflictException conflict) when (conflict.WriteIndex >= 0 && conflict.WriteIndex < batch.Count)
            {
                // The journal is fine; one writer is not. It fails alone, with its id's later writes, which followed it.
                _metrics?.CommitRejected(started);
                var rejected = batch[conflict.WriteIndex].Write.PersistenceId;
                LogRejected(_logger, rejected, conflict);
                for (var i = batch.Count - 1; i >= conflict.WriteIndex; i--)
                {
                    if (batch[i].Write.PersistenceId == rejected)
                    {
                        batch[i].Done.TrySetException(conflict);
                        batch.RemoveAt(i);
                    }
                }

                // The rare path: what the rest of the batch carries is counted again rather than tracked per write.
                _inFlight = batch.Count;
                var seen = new HashSet<PayloadIdentity>();
                bytes = 0;
                foreach (var request in batch)
                {
                    bytes += NewPayloadBytes(request.Write, seen);
                }
            }
            catch (Exception e)
            {
                _metrics?.CommitFailed(started);
                _inFlight = 0;
                if (_lastError is null)
                {
                    LogFailed(_logger, batch.Count, e);
                }

                _lastError = e;
                foreach (var request in batch)
                {
                    request.Done.TrySetException(e);
                }

                return;
            }
        }
    }

    [LoggerMessage(EventId = 73, Level = LogLevel.Error, Message = "Journal commit of {Writes} writes failed; writes fail until the journal is back")]
    private static partial void LogFailed(ILogger logger, int writes, Exception exception);

    [LoggerMessage(EventId = 74, Level = LogLevel.Information, Message = "Journal commits succeed again")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(EventId = 75, Level = LogLevel.Warning, Message = "Journal rejected a write of {PersistenceId}; the rest of its batch is committed without it")]
    private static partial void LogRejected(ILogger logger, string persistenceId, Exception exception);

    private sealed record Request(AtomicWrite Write, TaskCompletionSource Done, CancellationToken CancellationToken);
}
