using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Wire;
using OtelTailSampler.Persistence;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Pipeline;

/// <summary>
/// Metrics and logs on their way to the exporter, through the journal: a request is committed to its signal's
/// outbox stream before the client is answered, stays journaled until the exporter reports it delivered (or
/// refused by the backend), and is sent again after a restart. A request the exporter gives back (retries ran
/// out) is offered again on the next tick, so a long backend outage fills the journal, and then pushes back on
/// clients, instead of losing anything.
/// </summary>
internal sealed partial class JournaledOutbox
{
    // Truncation runs every this many ticks (about a second at the default tick).
    private const int TicksPerTruncation = 10;

    private readonly ShardJournal _journal;
    private readonly ITelemetryExporter _exporter;
    private readonly ILogger _logger;
    private readonly Lane[] _lanes;
    private int _ticks;
    private volatile bool _stopping;

    public JournaledOutbox(ShardJournal journal, ITelemetryExporter exporter, ILogger logger)
    {
        _journal = journal;
        _exporter = exporter;
        _logger = logger;
        _lanes = [.. ShardJournal.OutboxSignals.Select(signal => new Lane(signal, journal.OutboxStream(signal)))];
    }

    /// <summary>Bytes of requests journaled and not yet delivered, held in memory for the exporter.</summary>
    public long PendingBytes => _lanes.Sum(lane => Volatile.Read(ref lane.PendingBytes));

    /// <summary>Items (data points, log records) journaled and not yet delivered.</summary>
    public long PendingItems(OtlpSignal signal) => Volatile.Read(ref LaneOf(signal).PendingItems);

    /// <summary>
    /// Commits the request to its outbox and hands it to the exporter. False when the journal did not commit it
    /// or the exporter's queue is full: the client is pushed back and nothing is kept.
    /// </summary>
    public async ValueTask<bool> AcceptAsync(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, CancellationToken cancellationToken)
    {
        var lane = LaneOf(signal);
        if (lane.ExporterFull)
        {
            return false;
        }

        long sequenceNr;
        Task committed;
        try
        {
            (sequenceNr, committed) = await _journal.AppendAsync(lane.Stream, ShardEventType.OutboxAppended, request, awaitApply: true, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            LogNotCommitted(signal, e.Message);
            return false;
        }

        try
        {
            // Not cancelled with the client: once committed, the request is ours to deliver whether or not it hears.
            await committed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogNotCommitted(signal, e.Message);
            return false;
        }

        Hold(lane, sequenceNr, request, itemCount);
        _journal.Applied(lane.Stream, sequenceNr);
        Send(lane, sequenceNr);
        return true;
    }

    /// <summary>Takes a replayed outbox event back into memory; <see cref="ResendRecovered"/> sends them.</summary>
    public void AddRecovered(OtlpSignal signal, JournalEvent journalEvent)
    {
        ArgumentNullException.ThrowIfNull(journalEvent);

        // A copy of just the request, so the inflated segment it came in is not kept alive with it.
        var request = journalEvent.Payload.ToArray();
        Hold(LaneOf(signal), journalEvent.SequenceNr, request, (int)OtlpRequestValidator.Validate(signal, request).AcceptedItems);
    }

    /// <summary>Offers every recovered request to the exporter again, oldest first.</summary>
    public int ResendRecovered()
    {
        var requests = 0;
        foreach (var lane in _lanes)
        {
            foreach (var sequenceNr in lane.Pending.Keys.Order())
            {
                Send(lane, sequenceNr);
                requests++;
            }
        }

        return requests;
    }

    /// <summary>Offers again what the exporter could not take or gave back, and now and then truncates.</summary>
    public void Tick()
    {
        foreach (var lane in _lanes)
        {
            for (var retries = lane.Unsent.Count; retries > 0 && !_stopping && lane.Unsent.TryDequeue(out var sequenceNr); retries--)
            {
                if (!Send(lane, sequenceNr))
                {
                    break;
                }
            }
        }

        if (++_ticks >= TicksPerTruncation && _journal.Recovered)
        {
            _ticks = 0;
            foreach (var lane in _lanes)
            {
                Truncate(lane);
            }
        }
    }

    /// <summary>Completes when the truncations the last ticks started are done.</summary>
    public Task TruncationAsync() => Task.WhenAll(_lanes.Select(lane => lane.Truncation));

    /// <summary>From now on nothing given back is offered again: it stays in the journal for the next start.</summary>
    public void Stop() => _stopping = true;

    private Lane LaneOf(OtlpSignal signal) => _lanes[Array.IndexOf(ShardJournal.OutboxSignals, signal)];

    private static void Hold(Lane lane, long sequenceNr, ReadOnlyMemory<byte> request, int items)
    {
        if (lane.Pending.TryAdd(sequenceNr, new Entry(request, items)))
        {
            Interlocked.Add(ref lane.PendingBytes, request.Length);
            Interlocked.Add(ref lane.PendingItems, items);
        }
    }

    // False when the exporter's queue is full; the request then waits in Unsent for the next tick.
    private bool Send(Lane lane, long sequenceNr)
    {
        if (!lane.Pending.TryGetValue(sequenceNr, out var entry))
        {
            return true;
        }

        if (_exporter.TryEnqueue(lane.Signal, entry.Request, entry.Items, result => Completed(lane, sequenceNr, result), durable: true))
        {
            lane.ExporterFull = false;
            return true;
        }

        lane.ExporterFull = true;
        lane.Unsent.Enqueue(sequenceNr);
        return false;
    }

    // On an exporter thread.
    private void Completed(Lane lane, long sequenceNr, ExportResult result)
    {
        if (result == ExportResult.Abandoned)
        {
            // Retries ran out or the exporter stopped: the journal still has it, so offer it again later.
            if (!_stopping)
            {
                lane.Unsent.Enqueue(sequenceNr);
            }

            return;
        }

        if (lane.Pending.TryRemove(sequenceNr, out var entry))
        {
            Interlocked.Add(ref lane.PendingBytes, -entry.Request.Length);
            Interlocked.Add(ref lane.PendingItems, -entry.Items);
        }
    }

    // Deletes the lane's events before the oldest one still undelivered.
    private void Truncate(Lane lane)
    {
        if (!lane.Truncation.IsCompleted)
        {
            return;
        }

        var upTo = lane.Pending.IsEmpty ? _journal.HighestQueued(lane.Stream) : lane.Pending.Keys.Min() - 1;
        if (upTo <= lane.TruncatedUpTo)
        {
            return;
        }

        lane.Truncation = TruncateAsync(lane, upTo);
    }

    private async Task TruncateAsync(Lane lane, long upTo)
    {
        try
        {
            await _journal.TruncateAsync([(lane.Stream, upTo)], CancellationToken.None);
            lane.TruncatedUpTo = upTo;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogTruncationFailed(lane.Signal, e.Message);
        }
    }

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Refusing a {Signal} request: the journal did not commit it ({Reason})")]
    private partial void LogNotCommitted(OtlpSignal signal, string reason);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "Could not truncate the {Signal} outbox in the journal: {Reason}; the next round tries again")]
    private partial void LogTruncationFailed(OtlpSignal signal, string reason);

    private readonly record struct Entry(ReadOnlyMemory<byte> Request, int Items);

    // One signal's outbox. The fields are shared between request threads, exporter callbacks and the tick.
    private sealed class Lane(OtlpSignal signal, int stream)
    {
        public readonly OtlpSignal Signal = signal;
        public readonly int Stream = stream;
        public readonly ConcurrentDictionary<long, Entry> Pending = new();
        public readonly ConcurrentQueue<long> Unsent = new();
        public long PendingBytes;
        public long PendingItems;
        public volatile bool ExporterFull;
        public Task Truncation = Task.CompletedTask;
        public long TruncatedUpTo;
    }
}
