using Microsoft.Extensions.Logging;
using OtelTailSampler.Persistence;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using Akka.Actor;

namespace OtelTailSampler.Pipeline;

/// <summary>
/// The tail-sampling pipeline: trace requests are split by trace shard and each part goes to the shard's owner
/// (through the cluster's shard region), whose trace shard entity persists, buffers and decides its traces;
/// metrics and logs go to the exporter as they are, through the journal's outbox when there is a journal
/// (correlation and rollups come with later issues). It holds what the node's trace shards share: the policies,
/// the memory budget and the directory of the shards living here.
/// </summary>
public sealed partial class SamplingPipeline : ITelemetryPipeline, IAsyncDisposable
{
    private readonly ShardRouter _router;
    private readonly ShardJournal? _journal;
    private readonly long _maxJournalBytes;
    private readonly long _maxPendingExportBytes;
    private readonly ILogger _logger;
    private readonly ITelemetryExporter _exporter;
    private readonly ITimer _tick;
    private readonly JournaledOutbox? _outbox;
    private readonly bool _clustered;
    private readonly TraceShardContext _shards;
    private readonly ActorSystem? _localSystem;
    private readonly TaskCompletionSource _shardsRecovered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _forgetArrivalsTicks;

    // The shards the journal held events of at start (found by RecoverAsync), for RecoverShardsAsync to wake.
    private readonly List<int> _journaledShards = [];
    private IShardForwarder? _forwarder;
    private int _stopped;

    /// <param name="clustered">
    /// Whether the node's cluster hosts the trace shards (see <see cref="ForwardThrough"/>); without one the pipeline
    /// hosts every shard itself, in an actor system of its own.
    /// </param>
    public SamplingPipeline(SamplingOptions options, ShardingOptions sharding, ITelemetryExporter exporter, SamplerMetrics metrics,
        TimeProvider timeProvider, ILoggerFactory loggerFactory, ShardJournal? journal = null, long maxJournalBytes = 0, bool clustered = false,
        Decisions.DecisionReplica? replica = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sharding);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _clustered = clustered;
        _journal = journal;
        _maxJournalBytes = maxJournalBytes;
        _maxPendingExportBytes = options.MaxBufferedBytes;
        _exporter = exporter;
        _router = new ShardRouter(sharding.Shards, 1);
        _logger = loggerFactory.CreateLogger<SamplingPipeline>();

        // The node's rates and limits: one policy set (its budgets spent under a lock) and one memory budget for all of its shards.
        var budget = new NodeTraceBudget(options.MaxTraces, options.MaxBufferedBytes);
        _shards = new TraceShardContext(options, PolicySet.Create(options.Policies, 1, timeProvider), exporter, metrics, timeProvider,
            loggerFactory.CreateLogger<TraceShard>(), budget, new LocalTraceShards(), sharding.Shards, journal is not null,
            replica?.Replication == Decisions.DecisionReplication.None ? null : replica, RefuseForJournalLimits);

        // Any trace is due by decision-wait after it arrived; a few ticks later it is decided.
        _forgetArrivalsTicks = _shards.ToTicks(options.DecisionWait + (4 * options.TickInterval));
        _outbox = journal is null ? null : new JournaledOutbox(journal, exporter, _logger);
        metrics.ObserveBuffers(() => budget.BufferedTraces, () => budget.BufferedBytes);
        metrics.ObservePendingExport(() => PendingExportBytes);
        if (!clustered)
        {
            _localSystem = LocalShards.Start(_shards, journal, timeProvider, out var forwarder);
            _forwarder = forwarder;
        }

        _tick = timeProvider.CreateTimer(_ => Tick(), null, options.TickInterval, options.TickInterval);
    }

    internal ShardRouter Router => _router;

    /// <summary>What every trace shard of this node shares; the cluster's shard region makes its entities with it.</summary>
    internal TraceShardContext Shards => _shards;

    /// <summary>Bytes of the traces the node's shards are collecting, as counted against max-buffered-bytes.</summary>
    public long BufferedBytes => _shards.Budget.BufferedBytes;

    /// <summary>The configured policy names, by policy index.</summary>
    internal IReadOnlyList<string> PolicyNames => _shards.Policies.PolicyNames;

    /// <summary>Completes when the truncation of the metric and log outboxes that the last ticks started is done.</summary>
    internal Task OutboxTruncationAsync() => _outbox?.TruncationAsync() ?? Task.CompletedTask;

    /// <summary>Completes once every shard that had events in the journal at start has recovered them.</summary>
    public Task ShardsRecovered => _shardsRecovered.Task;

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

        // The shard region is not started yet, so no owner can be reached: the client retries.
        foreach (var part in parts)
        {
            part.Batch.ReleaseAll();
        }

        return PipelineOutcome.Overloaded;
    }

    /// <summary>
    /// From here on, trace requests go to their shards' owners through <paramref name="forwarder"/> (the cluster's
    /// shard region), which delivers each owner's part to its trace shard entity.
    /// </summary>
    internal void ForwardThrough(IShardForwarder forwarder) => _forwarder = forwarder;

    /// <summary>The trace's state in its shard, when the shard lives on this node; unknown otherwise.</summary>
    public async Task<TraceState> LookUpTraceAsync(TraceId traceId, CancellationToken cancellationToken) =>
        await _shards.Directory.LookUpAsync(_router.ShardOf(traceId), traceId, cancellationToken) ?? new TraceState(TraceStatus.Unknown);

    /// <summary>The trace shard of <paramref name="traceId"/>, and how many there are.</summary>
    public (int Shard, int Shards) ShardOf(TraceId traceId) => (_router.ShardOf(traceId), _router.Shards);

    /// <summary>False when the journal is unavailable or full: nothing is acknowledged that it does not hold.</summary>
    public bool JournalAccepting => _journal is null || (_journal.Healthy && !_journalFull && !_exportBacklogFull);

    /// <summary>Why the node pushes back on its clients while the journal is healthy; null when it does not.</summary>
    public string? PushBackReason => _journalFull
        ? "the journal is over max-journal-bytes; clients get 503 / UNAVAILABLE until exports drain it"
        : _exportBacklogFull
            ? "kept traces waiting for the backend, with the metrics and logs waiting beside them, hold more than max-buffered-bytes of memory; clients get 503 / UNAVAILABLE until exports drain them"
            : null;

    /// <summary>Bytes of kept traces, metrics and logs held in memory until the backend takes them.</summary>
    public long PendingExportBytes => _shards.Budget.PendingExportBytes + (_outbox?.PendingBytes ?? 0);

    /// <summary>
    /// What the journal holds that the backend does not have yet: spans of undecided traces and of kept traces not yet
    /// delivered, and metric points and log records not yet delivered. Exact once the shards and the exporter stopped.
    /// </summary>
    public (long Spans, long MetricPoints, long LogRecords) Undelivered() =>
        (_shards.Budget.BufferedSpans + _shards.Budget.UndeliveredExportSpans, _outbox?.PendingItems(OtlpSignal.Metrics) ?? 0, _outbox?.PendingItems(OtlpSignal.Logs) ?? 0);

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
    /// Takes back the metric and log outboxes from the journal and sends them again. Call before the receivers
    /// open. The trace shards recover themselves, each from its own events: see <see cref="RecoverShardsAsync"/>.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (_journal is null)
        {
            _shardsRecovered.TrySetResult();
            return;
        }

        // One pass over the ids: the outboxes are read here, each from its own stream (not the shards' spans with
        // them), and the shards are woken later, once this member is Up.
        await foreach (var persistenceId in _journal.Journal.PersistenceIdsAsync(cancellationToken))
        {
            if (ShardJournal.OutboxSignalOf(persistenceId) is { } signal)
            {
                await _journal.LoadAsync(_journal.OutboxStream(signal), cancellationToken);
                await foreach (var journalEvent in _journal.Journal.ReplayAsync(persistenceId, 1, long.MaxValue, long.MaxValue, cancellationToken))
                {
                    _outbox!.AddRecovered(signal, journalEvent);
                }
            }
            else if (ShardJournal.ShardOf(persistenceId) is { } shard && shard < _router.Shards)
            {
                _journaledShards.Add(shard);
            }
        }

        var outboxRequests = _outbox!.ResendRecovered();
        _journal.MarkRecovered();
        LogOutboxRecovered(outboxRequests);
        if (!_clustered)
        {
            await RecoverShardsAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Starts every trace shard the journal holds events of, through the shard region, and completes once each has
    /// recovered them: undecided traces resume their timers from when they first arrived, kept traces not yet
    /// delivered are exported again, and completed decisions go back into the decision caches so late spans still
    /// follow them. Call after <see cref="RecoverAsync"/>, once this member is Up.
    /// </summary>
    public async Task RecoverShardsAsync(CancellationToken cancellationToken)
    {
        if (_journal is null || _forwarder is not { } forwarder)
        {
            _shardsRecovered.TrySetResult();
            return;
        }

        try
        {
            await Task.WhenAll(_journaledShards.Select(shard => forwarder.WakeAsync(shard, cancellationToken)));
            LogShardsRecovered(_journaledShards.Count);
            _shardsRecovered.TrySetResult();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _shardsRecovered.TrySetException(e);
            throw;
        }
    }

    /// <summary>Completes once every trace shard on this node has handled everything sent to it before the call.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => _shards.Directory.WhenIdleAsync(cancellationToken);

    /// <summary>
    /// Stops the ticks and the outbox. The trace shards have stopped with the cluster's actor system (or stop now with
    /// this pipeline's own): without a journal each decided what it buffered and handed kept traces to the exporter;
    /// what the exporter's full queue turned away is handed over here.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _tick.DisposeAsync();
        _outbox?.Stop();
        if (_localSystem is not null)
        {
            await _localSystem.Terminate().WaitAsync(cancellationToken);
        }

        await _shards.Directory.SendUnsentAsync(_exporter, cancellationToken);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [LoggerMessage(EventId = 34, Level = LogLevel.Information, Message = "Recovered {Shards} trace shards from the journal")]
    private partial void LogShardsRecovered(int shards);

    [LoggerMessage(EventId = 36, Level = LogLevel.Information, Message = "Recovered the metric and log outboxes from the journal: {OutboxRequests} requests sent again")]
    private partial void LogOutboxRecovered(int outboxRequests);

    private void Tick()
    {
        _shards.Directory.Tick();
        _shards.Budget.ForgetArrivedBefore(_shards.Time.GetTimestamp() - _forgetArrivalsTicks);

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
