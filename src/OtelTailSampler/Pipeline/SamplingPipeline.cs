using Microsoft.Extensions.Logging;
using OtelTailSampler.Persistence;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Pipeline;

/// <summary>
/// The tail-sampling pipeline: trace requests are split by trace shard and each part goes to the shard's owner
/// (through the cluster's shard region), whose worker buffers and decides its traces;
/// metrics and logs go to the exporter as they are, through the journal's outbox when there is a journal
/// (correlation and rollups come with later issues).
/// </summary>
public sealed partial class SamplingPipeline : ITelemetryPipeline, IAsyncDisposable
{
    private readonly ShardRouter _router;
    private readonly ShardJournal? _journal;
    private readonly long _maxJournalBytes;
    private readonly long _maxPendingExportBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ShardWorker[] _workers;
    private readonly string[] _policyNames;
    private readonly ITelemetryExporter _exporter;
    private readonly ITimer _tick;
    private readonly JournaledOutbox? _outbox;
    private readonly bool _clustered;
    private IShardForwarder? _forwarder;
    private int _stopped;

    public SamplingPipeline(SamplingOptions options, ShardingOptions sharding, ITelemetryExporter exporter, SamplerMetrics metrics,
        TimeProvider timeProvider, ILoggerFactory loggerFactory, ShardJournal? journal = null, long maxJournalBytes = 0, bool clustered = false,
        Decisions.DecisionReplica? replica = null)
    {
        _clustered = clustered;
        _journal = journal;
        _maxJournalBytes = maxJournalBytes;
        _maxPendingExportBytes = options?.MaxBufferedBytes ?? 0;
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
        _policyNames = [.. options.Policies.Policies.Select(policy => policy.Name)];
        _workers = new ShardWorker[workers];
        for (var i = 0; i < workers; i++)
        {
            var policies = PolicySet.Create(options.Policies, 1.0 / workers, timeProvider);
            _workers[i] = new ShardWorker(i, options, policies, exporter, metrics, timeProvider, logger,
                Math.Max(1, options.MaxBufferedBytes / workers), Math.Max(1, options.MaxTraces / workers), journal, sharding.Shards, workers,
                replica?.Replication == Decisions.DecisionReplication.None ? null : replica);
            _workers[i].Start();
        }

        _outbox = journal is null ? null : new JournaledOutbox(journal, exporter, logger);
        metrics.ObserveBuffers(() => _workers.Sum(w => (long)w.BufferedTraces), () => _workers.Sum(w => w.BufferedBytes));
        metrics.ObservePendingExport(() => PendingExportBytes);
        _tick = timeProvider.CreateTimer(_ => Tick(), null, options.TickInterval, options.TickInterval);
    }

    internal ShardRouter Router => _router;

    internal IReadOnlyList<ShardWorker> Workers => _workers;

    /// <summary>The configured policy names, by policy index (the same list on every worker).</summary>
    internal IReadOnlyList<string> PolicyNames => _policyNames;

    /// <summary>Completes when the truncation of the metric and log outboxes that the last ticks started is done.</summary>
    internal Task OutboxTruncationAsync() => _outbox?.TruncationAsync() ?? Task.CompletedTask;

    public async ValueTask<PipelineOutcome> AcceptAsync(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, CancellationToken cancellationToken)
    {
        if (signal != OtlpSignal.Traces)
        {
            if (_outbox is null)
            {
                return _exporter.TryEnqueue(signal, request, itemCount) ? PipelineOutcome.Accepted : PipelineOutcome.Overloaded;
            }

            return !RefuseForJournalLimits() && await _outbox.AcceptAsync(signal, request, itemCount, cancellationToken)
                ? PipelineOutcome.Accepted
                : PipelineOutcome.Overloaded;
        }

        // Checked once for the whole request, so that a full journal refuses all of it rather than some shards.
        if (_journal is not null && RefuseForJournalLimits())
        {
            return PipelineOutcome.Overloaded;
        }

        var parts = TraceRequestSplitter.SplitByShard(request, _router);
        if (_forwarder is { } forwarder)
        {
            return await forwarder.ForwardAsync(parts, cancellationToken);
        }

        if (_clustered)
        {
            // The shard region is not started yet, so no owner can be reached: the client retries.
            foreach (var part in parts)
            {
                part.Batch.ReleaseAll();
            }

            return PipelineOutcome.Overloaded;
        }

        // No cluster (tests of the pipeline alone): every shard is this node's.
        var accepted = true;
        foreach (var part in parts)
        {
            accepted &= await AcceptShardAsync(part.Shard, part.Batch, cancellationToken);
        }

        return accepted ? PipelineOutcome.Accepted : PipelineOutcome.Overloaded;
    }

    /// <summary>
    /// From here on, trace requests go to their shards' owners through <paramref name="forwarder"/> (the cluster's
    /// shard region), which hands each owner's part back to <see cref="AcceptShardAsync"/> on that node.
    /// </summary>
    internal void ForwardThrough(IShardForwarder forwarder) => _forwarder = forwarder;

    /// <summary>
    /// Takes the spans of one trace shard that this node owns. Persist before apply: with a journal the spans are
    /// committed as one SpansAppended event of the shard before its worker sees them, and true (acknowledge) is
    /// returned only then. The event carries the request's bytes, which the journal stores once per commit however
    /// many shards' events refer to them; each shard's replay picks its own spans out of them.
    /// </summary>
    internal async Task<bool> AcceptShardAsync(int shard, SpanBatch batch, CancellationToken cancellationToken)
    {
        if (_journal is not null)
        {
            if (RefuseForJournalLimits())
            {
                batch.ReleaseAll();
                return false;
            }

            long sequenceNr = 0;
            try
            {
                var (appended, committed) = await _journal.AppendAsync(shard, ShardEventType.SpansAppended, batch.Spans[0].Span.Request.Buffer, awaitApply: true, cancellationToken);
                sequenceNr = appended;
                await committed;
            }
            catch (OperationCanceledException)
            {
                // The client went away: its spans will not reach the worker, so truncation must not wait for them.
                Unapplied(shard, sequenceNr, batch);
                throw;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogJournalRefused(e.Message);
                Unapplied(shard, sequenceNr, batch);
                return false;
            }

            batch.Sequences = new Dictionary<int, long>(1) { [shard] = sequenceNr };
        }

        // Committed: the spans are the worker's even if the client has gone meanwhile.
        await _workers[_router.WorkerOfShard(shard)].PostAsync(batch, CancellationToken.None);
        return true;
    }

    /// <summary>
    /// Decides now every trace of <paramref name="shard"/> that this node still buffers: the shard is moving to
    /// another node, and a trace must not be buffered by two owners. The decisions are published to the replicated
    /// set at once, so that late spans at the next owner follow them.
    /// </summary>
    internal Task DecideShardAsync(int shard, CancellationToken cancellationToken) =>
        _workers[_router.WorkerOfShard(shard)].DecideShardAsync(shard, cancellationToken);

    /// <summary>The trace's state in the worker of its shard on this node (buffered, kept, dropped or unknown).</summary>
    public Task<TraceState> LookUpTraceAsync(TraceId traceId, CancellationToken cancellationToken) =>
        _workers[_router.WorkerOf(traceId)].LookUpAsync(traceId, _router.ShardOf(traceId), cancellationToken);

    /// <summary>The shard came to this node while other members are up: it may have been decided on before.</summary>
    internal void ShardArrived(int shard) => _workers[_router.WorkerOfShard(shard)].PostShardArrived(shard);

    /// <summary>The trace shard of <paramref name="traceId"/>, and how many there are.</summary>
    public (int Shard, int Shards) ShardOf(TraceId traceId) => (_router.ShardOf(traceId), _router.Shards);

    private void Unapplied(int shard, long sequenceNr, SpanBatch batch)
    {
        if (sequenceNr > 0)
        {
            _journal!.Applied(shard, sequenceNr);
        }

        batch.ReleaseAll();
    }

    /// <summary>False when the journal is unavailable or full: nothing is acknowledged that it does not hold.</summary>
    public bool JournalAccepting => _journal is null || (_journal.Healthy && !_journalFull && !_exportBacklogFull);

    /// <summary>Why the node pushes back on its clients while the journal is healthy; null when it does not.</summary>
    public string? PushBackReason => _journalFull
        ? "the journal is over max-journal-bytes; clients get 503 / UNAVAILABLE until exports drain it"
        : _exportBacklogFull
            ? "kept traces waiting for the backend, with the metrics and logs waiting beside them, hold more than max-buffered-bytes of memory; clients get 503 / UNAVAILABLE until exports drain them"
            : null;

    /// <summary>Bytes of kept traces, metrics and logs held in memory until the backend takes them.</summary>
    public long PendingExportBytes => _workers.Sum(worker => worker.PendingExportBytes) + (_outbox?.PendingBytes ?? 0);

    /// <summary>
    /// What the journal holds that the backend does not have yet: spans of undecided traces and of kept traces not yet
    /// delivered, and metric points and log records not yet delivered. Exact once the pipeline and the exporter stopped.
    /// </summary>
    public (long Spans, long MetricPoints, long LogRecords) Undelivered() =>
        (_workers.Sum(worker => worker.UndeliveredSpans()), _outbox?.PendingItems(OtlpSignal.Metrics) ?? 0, _outbox?.PendingItems(OtlpSignal.Logs) ?? 0);

    private volatile bool _journalFull;
    private volatile bool _exportBacklogFull;
    private long _journalBytes;
    private int _journalSizeRefreshing;

    // The size is refreshed on every tick, not asked per request: for PostgreSQL it is a query. What waits for the
    // backend is held in memory as well as journaled; the journal is deflated, so memory can run out long before it
    // fills: it may take as much as the trace buffers.
    private bool RefuseForJournalLimits()
    {
        _journalFull = _maxJournalBytes > 0 && Volatile.Read(ref _journalBytes) > _maxJournalBytes;
        _exportBacklogFull = PendingExportBytes > _maxPendingExportBytes;
        return _journalFull || _exportBacklogFull;
    }

    /// <summary>
    /// Replays the journal into the workers in one pass: undecided traces resume their timers from when they first
    /// arrived, kept traces not yet delivered are exported again, and completed decisions go back into the decision
    /// caches so late spans still follow them. Call before the receivers open.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (_journal is null)
        {
            return;
        }

        var shards = 0;
        await foreach (var persistenceId in _journal.Journal.PersistenceIdsAsync(cancellationToken))
        {
            if (ShardJournal.ShardOf(persistenceId) is { } shard && shard < _router.Shards)
            {
                shards++;
                await _journal.LoadAsync(shard, cancellationToken);
            }
            else if (ShardJournal.OutboxSignalOf(persistenceId) is { } signal)
            {
                await _journal.LoadAsync(_journal.OutboxStream(signal), cancellationToken);
            }
        }

        var replay = new JournalReplay(_router);
        await foreach (var journalEvent in _journal.Journal.ReplayAllAsync(cancellationToken))
        {
            if (ShardJournal.OutboxSignalOf(journalEvent.PersistenceId) is { } signal)
            {
                _outbox!.AddRecovered(signal, journalEvent);
            }
            else
            {
                replay.Add(journalEvent);
            }
        }

        var outboxRequests = _outbox!.ResendRecovered();

        foreach (var (shard, record) in replay.Completed())
        {
            await _workers[_router.WorkerOfShard(shard)].PostAsync(new WorkerMessage(WorkerMessageKind.RecoveredCompleted, null, null, Record: record), cancellationToken);
        }

        var now = _time.GetTimestamp();
        var wallNow = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (worker, batch, writtenAtUnixMs) in replay.SpanBatches())
        {
            batch.ArrivalTimestamp = now - (long)(Math.Max(0, wallNow - writtenAtUnixMs) * (double)_time.TimestampFrequency / 1000);
            await _workers[worker].PostAsync(batch, cancellationToken);
        }

        foreach (var (shard, record) in replay.Kept())
        {
            await _workers[_router.WorkerOfShard(shard)].PostAsync(new WorkerMessage(WorkerMessageKind.RecoveredKept, null, null, Record: record, Shard: shard), cancellationToken);
        }

        await WhenIdleAsync(cancellationToken);
        _journal.MarkRecovered();
        LogRecovered(shards, replay.RecoveredTraces, outboxRequests);
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
        _outbox?.Stop();
        await Task.WhenAll(_workers.Select(w => w.StopAsync(cancellationToken)));
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "Refusing a trace request: the journal did not commit it ({Reason})")]
    private partial void LogJournalRefused(string reason);

    [LoggerMessage(EventId = 34, Level = LogLevel.Information,
        Message = "Recovered {Shards} shards from the journal: {Traces} traces resumed, {OutboxRequests} metric and log requests sent again")]
    private partial void LogRecovered(int shards, int traces, int outboxRequests);

    private void Tick()
    {
        foreach (var worker in _workers)
        {
            worker.PostTick();
        }

        _outbox?.Tick();

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

    [LoggerMessage(EventId = 35, Level = LogLevel.Warning, Message = "Could not read the journal's size: {Reason}")]
    private partial void LogJournalSizeUnknown(string reason);
}
