using System.Globalization;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Otlp;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The journal seen stream by stream: each trace shard is a persistent entity ("shard-0042") with its own sequence
/// numbers, and so is the outbox of each signal that passes through untouched ("outbox-logs", "outbox-metrics"),
/// at the stream numbers after the shards. Appends to one stream are queued one at a time (an async lock per
/// stream), so the group-commit writer commits them in sequence order while nobody holds the lock through a
/// commit. After a failed commit the stream re-reads its highest sequence number before the next append.
/// </summary>
public sealed partial class ShardJournal : IAsyncDisposable
{
    private readonly IJournal _journal;
    private readonly JournalWriter _writer;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim[] _locks;
    private readonly long[] _next;
    private readonly bool[] _resync;
    private readonly SortedSet<long>[] _unapplied;
    private readonly int _shards;
    private bool _recovered;

    public ShardJournal(IJournal journal, JournalWriter writer, int shards, ILogger<ShardJournal> logger)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(writer);
        _journal = journal;
        _writer = writer;
        _logger = logger;
        _shards = shards;
        var streams = shards + OutboxSignals.Length;
        _locks = new SemaphoreSlim[streams];
        _next = new long[streams];
        _resync = new bool[streams];
        _unapplied = new SortedSet<long>[streams];
        for (var shard = 0; shard < streams; shard++)
        {
            _locks[shard] = new SemaphoreSlim(1, 1);
            _resync[shard] = true;
            _unapplied[shard] = [];
        }
    }

    public IJournal Journal => _journal;

    /// <summary>The group commit in front of the journal, which the trace shards' journal plugin writes through too.</summary>
    public JournalWriter Writer => _writer;

    /// <summary>
    /// False until recovery has handed every replayed event to the workers. Until then no worker knows which events
    /// its traces need, so truncation must wait: it would otherwise delete what is being recovered.
    /// </summary>
    public bool Recovered => Volatile.Read(ref _recovered);

    /// <summary>Recovery is done: the workers hold every replayed trace, and truncation may start.</summary>
    public void MarkRecovered() => Volatile.Write(ref _recovered, true);

    /// <summary>False while the last commit failed: the node stops acknowledging and /readyz says why.</summary>
    public bool Healthy => _writer.Healthy;

    public Exception? LastError => _writer.LastError;

    /// <summary>The signals journaled as they are, without sampling: each has one outbox stream.</summary>
    public static readonly OtlpSignal[] OutboxSignals = [OtlpSignal.Metrics, OtlpSignal.Logs];

    public static string PersistenceId(int shard) => "shard-" + shard.ToString("D4", CultureInfo.InvariantCulture);

    public static int? ShardOf(string persistenceId) =>
        persistenceId.StartsWith("shard-", StringComparison.Ordinal)
        && int.TryParse(persistenceId.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var shard) ? shard : null;

    public static string OutboxPersistenceId(OtlpSignal signal) => "outbox-" + signal.ToString().ToLowerInvariant();

    /// <summary>The signal whose outbox the id names, or null for any other id.</summary>
    public static OtlpSignal? OutboxSignalOf(string persistenceId)
    {
        foreach (var signal in OutboxSignals)
        {
            if (OutboxPersistenceId(signal) == persistenceId)
            {
                return signal;
            }
        }

        return null;
    }

    /// <summary>The stream number of a signal's outbox: after every shard's.</summary>
    public int OutboxStream(OtlpSignal signal) => _shards + Array.IndexOf(OutboxSignals, signal);

    private string IdOf(int stream) => stream < _shards ? PersistenceId(stream) : OutboxPersistenceId(OutboxSignals[stream - _shards]);

    /// <summary>
    /// Queues one event for a stream (a shard, or an outbox); returns its sequence number and the task of its commit. With
    /// <paramref name="awaitApply"/> the event counts as not yet applied (so truncation keeps it) until
    /// <see cref="Applied"/> is called.
    /// </summary>
    public async ValueTask<(long SequenceNr, Task Committed)> AppendAsync(int shard, ShardEventType type, ReadOnlyMemory<byte> payload, bool awaitApply, CancellationToken cancellationToken)
    {
        var gate = _locks[shard];
        await gate.WaitAsync(cancellationToken);
        long sequenceNr;
        Task committed;
        try
        {
            if (Volatile.Read(ref _resync[shard]))
            {
                _next[shard] = await _journal.ReadHighestSequenceNrAsync(IdOf(shard), cancellationToken) + 1;
                _resync[shard] = false;
            }

            sequenceNr = _next[shard];

            // Held back from truncation before the number is published (truncation reads the highest one queued).
            if (awaitApply)
            {
                lock (_unapplied[shard])
                {
                    _unapplied[shard].Add(sequenceNr);
                }
            }

            try
            {
                committed = await _writer.EnqueueAsync(new AtomicWrite(IdOf(shard), sequenceNr, (int)type, payload), cancellationToken);
            }
            catch
            {
                Applied(shard, sequenceNr);
                throw;
            }

            Volatile.Write(ref _next[shard], sequenceNr + 1);
        }
        finally
        {
            gate.Release();
        }

        return (sequenceNr, Watch(shard, sequenceNr, committed));
    }

    /// <summary>Learns the shard's highest sequence number from the journal (at recovery), so truncation knows it.</summary>
    public async Task LoadAsync(int shard, CancellationToken cancellationToken)
    {
        var gate = _locks[shard];
        await gate.WaitAsync(cancellationToken);
        try
        {
            _next[shard] = await _journal.ReadHighestSequenceNrAsync(IdOf(shard), cancellationToken) + 1;
            _resync[shard] = false;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The worker has the event's spans in memory (or they will never come): truncation may pass it.</summary>
    public void Applied(int shard, long sequenceNr)
    {
        lock (_unapplied[shard])
        {
            _unapplied[shard].Remove(sequenceNr);
        }
    }

    /// <summary>
    /// Deletes each shard's events up to its sequence number, all in one journal transaction, but never past an
    /// event whose spans are still on their way to the worker.
    /// </summary>
    public async Task TruncateAsync(IReadOnlyList<(int Shard, long SequenceNr)> truncations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(truncations);
        var deletions = new List<(string, long)>(truncations.Count);
        foreach (var (shard, upTo) in truncations)
        {
            var sequenceNr = upTo;
            lock (_unapplied[shard])
            {
                if (_unapplied[shard].Count > 0)
                {
                    sequenceNr = Math.Min(sequenceNr, _unapplied[shard].Min - 1);
                }
            }

            if (sequenceNr > 0)
            {
                deletions.Add((IdOf(shard), sequenceNr));
            }
        }

        await _journal.DeleteUpToAsync(deletions, cancellationToken);
    }

    /// <summary>The highest sequence number handed out for the shard so far (0 before the first append).</summary>
    public long HighestQueued(int shard) => Volatile.Read(ref _next[shard]) - 1;

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _journal.DisposeAsync();
        foreach (var gate in _locks)
        {
            gate.Dispose();
        }
    }

    private async Task Watch(int shard, long sequenceNr, Task committed)
    {
        try
        {
            await committed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever was queued after this write now has a gap before it and fails too; start over from the journal.
            Volatile.Write(ref _resync[shard], true);
            Applied(shard, sequenceNr);
            LogCommitFailed(IdOf(shard), sequenceNr, e.Message);
            throw;
        }
    }

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning, Message = "Journal commit for {PersistenceId} at {SequenceNr} failed: {Reason}")]
    private partial void LogCommitFailed(string persistenceId, long sequenceNr, string reason);
}
