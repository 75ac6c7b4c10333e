using Microsoft.Extensions.Logging;
using OtelTailSampler.Persistence;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Pipeline;

/// <summary>
/// The tail-sampling pipeline: trace requests are split by owning worker and handed to the shard workers;
/// metrics and logs go to the exporter as they are (correlation and rollups come with later issues).
/// </summary>
public sealed partial class SamplingPipeline : ITelemetryPipeline, IAsyncDisposable
{
    private readonly ShardRouter _router;
    private readonly ShardJournal? _journal;
    private readonly long _maxJournalBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ShardWorker[] _workers;
    private readonly ITelemetryExporter _exporter;
    private readonly ITimer _tick;
    private int _stopped;

    public SamplingPipeline(SamplingOptions options, ShardingOptions sharding, ITelemetryExporter exporter, SamplerMetrics metrics,
        TimeProvider timeProvider, ILoggerFactory loggerFactory, ShardJournal? journal = null, long maxJournalBytes = 0)
    {
        _journal = journal;
        _maxJournalBytes = maxJournalBytes;
        _time = timeProvider;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sharding);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _exporter = exporter;
        var workers = sharding.EffectiveWorkers;
        _router = new ShardRouter(sharding.Shards, workers);
        var logger = loggerFactory.CreateLogger<SamplingPipeline>();
        _logger = logger;

        // Each worker holds its share of the node's limits and rates, so none of them needs a lock.
        _workers = new ShardWorker[workers];
        for (var i = 0; i < workers; i++)
        {
            var policies = PolicySet.Create(options.Policies, 1.0 / workers, timeProvider);
            _workers[i] = new ShardWorker(i, options, policies, exporter, metrics, timeProvider, logger,
                Math.Max(1, options.MaxBufferedBytes / workers), Math.Max(1, options.MaxTraces / workers), journal, sharding.Shards, workers);
            _workers[i].Start();
        }

        metrics.ObserveBuffers(() => _workers.Sum(w => (long)w.BufferedTraces), () => _workers.Sum(w => w.BufferedBytes));
        _tick = timeProvider.CreateTimer(_ => Tick(), null, options.TickInterval, options.TickInterval);
    }

    internal ShardRouter Router => _router;

    internal IReadOnlyList<ShardWorker> Workers => _workers;

    public async ValueTask<PipelineOutcome> AcceptAsync(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, CancellationToken cancellationToken)
    {
        if (signal != OtlpSignal.Traces)
        {
            return _exporter.TryEnqueue(signal, request, itemCount) ? PipelineOutcome.Accepted : PipelineOutcome.Overloaded;
        }

        var (batches, _) = TraceRequestSplitter.Split(request, _router);
        if (_journal is not null && !await PersistAsync(batches, cancellationToken))
        {
            foreach (var batch in batches)
            {
                if (batch is not null)
                {
                    ReleaseAll(batch);
                }
            }

            return PipelineOutcome.Overloaded;
        }

        for (var i = 0; i < batches.Length; i++)
        {
            if (batches[i] is { } batch)
            {
                await _workers[i].PostAsync(batch, cancellationToken);
            }
        }

        return PipelineOutcome.Accepted;
    }

    /// <summary>False when the journal is unavailable or full: nothing is acknowledged that it does not hold.</summary>
    public bool JournalAccepting => _journal is null || (_journal.Healthy && !_journalFull);

    private volatile bool _journalFull;
    private long _journalBytes;
    private int _journalSizeRefreshing;

    // Persist before apply: each shard's spans of the request become one SpansAppended event, and the client is
    // answered only once every one of them is committed.
    private async Task<bool> PersistAsync(SpanBatch?[] batches, CancellationToken cancellationToken)
    {
        // The size is refreshed on every tick, not asked per request: for PostgreSQL it is a query.
        _journalFull = _maxJournalBytes > 0 && Volatile.Read(ref _journalBytes) > _maxJournalBytes;
        if (_journalFull)
        {
            return false;
        }

        var commits = new List<Task>();
        var appended = new List<(int Shard, long SequenceNr)>();
        try
        {
            foreach (var batch in batches)
            {
                if (batch is null)
                {
                    continue;
                }

                var sequences = new Dictionary<int, long>();
                foreach (var group in GroupByShard(batch))
                {
                    using var payload = new Otlp.PooledBufferWriter(4096);
                    KeptTraceWriter.Write(group.Spans, [], payload);
                    var (sequenceNr, committed) = await _journal!.AppendAsync(group.Shard, ShardEventType.SpansAppended, payload.WrittenSpan.ToArray(), awaitApply: true, cancellationToken);
                    sequences[group.Shard] = sequenceNr;
                    appended.Add((group.Shard, sequenceNr));
                    commits.Add(committed);
                }

                batch.Sequences = sequences;
            }

            await Task.WhenAll(commits);
            return true;
        }
        catch (OperationCanceledException)
        {
            // The client went away: its spans will not reach the workers, so truncation must not wait for them.
            foreach (var (shard, sequenceNr) in appended)
            {
                _journal!.Applied(shard, sequenceNr);
            }

            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogJournalRefused(e.Message);
            foreach (var (shard, sequenceNr) in appended)
            {
                _journal!.Applied(shard, sequenceNr);
            }

            return false;
        }
    }

    private static IEnumerable<(int Shard, SpanRef[] Spans)> GroupByShard(SpanBatch batch)
    {
        var groups = new Dictionary<int, List<SpanRef>>();
        foreach (var routed in batch.Spans)
        {
            if (!groups.TryGetValue(routed.Shard, out var list))
            {
                groups[routed.Shard] = list = [];
            }

            list.Add(routed.Span);
        }

        return groups.Select(group => (group.Key, group.Value.ToArray()));
    }

    private static void ReleaseAll(SpanBatch batch)
    {
        foreach (var routed in batch.Spans)
        {
            routed.Span.Request.Release();
        }

        batch.Return();
    }

    /// <summary>
    /// Replays every shard's events into the workers: undecided traces resume their timers from when they first
    /// arrived, kept traces not yet delivered are exported again, and completed decisions go back into the
    /// decision caches so late spans still follow them. Call before the receivers open.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (_journal is null)
        {
            return;
        }

        var shards = 0;
        var traces = 0;
        await foreach (var persistenceId in _journal.Journal.PersistenceIdsAsync(cancellationToken))
        {
            if (ShardJournal.ShardOf(persistenceId) is not { } shard || shard >= _router.Shards)
            {
                continue;
            }

            shards++;
            await _journal.LoadAsync(shard, cancellationToken);
            traces += await RecoverShardAsync(shard, persistenceId, cancellationToken);
        }

        await WhenIdleAsync(cancellationToken);
        LogRecovered(shards, traces);
    }

    private async Task<int> RecoverShardAsync(int shard, string persistenceId, CancellationToken cancellationToken)
    {
        var spanEvents = new List<JournalEvent>();
        var kept = new Dictionary<TraceId, ShardDecisionRecord>();
        var completed = new Dictionary<TraceId, (long SequenceNr, ShardDecisionRecord Record)>();
        await foreach (var journalEvent in _journal!.Journal.ReplayAsync(persistenceId, 1, long.MaxValue, long.MaxValue, cancellationToken))
        {
            switch ((ShardEventType)journalEvent.EventType)
            {
                case ShardEventType.SpansAppended:
                    spanEvents.Add(journalEvent);
                    break;
                case ShardEventType.TraceKept:
                    var keptRecord = ShardDecisionRecord.Decode(journalEvent.Payload.Span);
                    kept[keptRecord.TraceId] = keptRecord;
                    break;
                case ShardEventType.TraceCompleted:
                    var done = ShardDecisionRecord.Decode(journalEvent.Payload.Span);
                    completed[done.TraceId] = (journalEvent.SequenceNr, done);
                    kept.Remove(done.TraceId);
                    break;
            }
        }

        var worker = _workers[_router.WorkerOfShard(shard)];
        foreach (var (_, (_, record)) in completed)
        {
            await worker.PostAsync(new WorkerMessage(WorkerMessageKind.RecoveredCompleted, null, null, Record: record), cancellationToken);
        }

        var now = _time.GetTimestamp();
        var wallNow = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var recoveredTraces = new HashSet<TraceId>();
        foreach (var spanEvent in spanEvents)
        {
            var (batches, _) = TraceRequestSplitter.Split(spanEvent.Payload, _router);
            var replay = new SpanBatch
            {
                Sequences = new Dictionary<int, long> { [shard] = spanEvent.SequenceNr },
                ArrivalTimestamp = now - (long)(Math.Max(0, wallNow - spanEvent.WrittenAtUnixMs) * (double)_time.TimestampFrequency / 1000),
            };
            foreach (var batch in batches)
            {
                if (batch is null)
                {
                    continue;
                }

                foreach (var routed in batch.Spans)
                {
                    // Spans of a trace completed after this event were delivered or dropped already.
                    if (completed.TryGetValue(routed.TraceId, out var done) && done.SequenceNr > spanEvent.SequenceNr)
                    {
                        routed.Span.Request.Release();
                        continue;
                    }

                    recoveredTraces.Add(routed.TraceId);
                    replay.Add(routed);
                }

                batch.Return();
            }

            await worker.PostAsync(replay, cancellationToken);
        }

        foreach (var record in kept.Values)
        {
            await worker.PostAsync(new WorkerMessage(WorkerMessageKind.RecoveredKept, null, null, Record: record, Shard: shard), cancellationToken);
        }

        return recoveredTraces.Count;
    }

    /// <summary>Completes once every worker has handled everything posted before the call.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_workers.Select(w => w.WhenIdleAsync(cancellationToken)));

    /// <summary>Stops the workers; each decides what it still buffers and hands kept traces to the exporter.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _tick.DisposeAsync();
        await Task.WhenAll(_workers.Select(w => w.StopAsync(cancellationToken)));
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refusing a trace request: the journal did not commit it ({Reason})")]
    private partial void LogJournalRefused(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered {Shards} shards from the journal: {Traces} traces resumed")]
    private partial void LogRecovered(int shards, int traces);

    private void Tick()
    {
        foreach (var worker in _workers)
        {
            worker.PostTick();
        }

        if (_journal is not null && _maxJournalBytes > 0 && Interlocked.Exchange(ref _journalSizeRefreshing, 1) == 0)
        {
            _ = RefreshJournalSizeAsync();
        }
    }

    private async Task RefreshJournalSizeAsync()
    {
        try
        {
            Volatile.Write(ref _journalBytes, await _journal!.Journal.ApproximateSizeBytesAsync(CancellationToken.None));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogJournalSizeUnknown(e.Message);
        }
        finally
        {
            Volatile.Write(ref _journalSizeRefreshing, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the journal's size: {Reason}")]
    private partial void LogJournalSizeUnknown(string reason);
}
