using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Decisions;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;
using OtelTailSampler.Sampling;

namespace OtelTailSampler.Sharding;

/// <summary>
/// One single-threaded loop that owns the trace entities of its shards. Spans, timer ticks and barriers
/// arrive through one channel and are handled in order by one reader, so the entities need no locks.
/// A trace is Collecting until it is due (decision-wait, root + settle, size, memory pressure); then the
/// policies decide, a kept trace is written out with its sampling attributes, and the decision goes to the
/// decision cache where late spans find it.
/// </summary>
internal sealed partial class ShardWorker : IDisposable
{
    /// <summary>Bookkeeping per buffered span beyond its bytes: its reference in the entity's array.</summary>
    public const int SpanOverheadBytes = 24;

    private readonly int _index;
    private readonly SamplingOptions _options;
    private readonly PolicySet _policies;
    private readonly ITelemetryExporter _exporter;
    private readonly SamplerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _maxBufferedBytes;
    private readonly int _maxTraces;
    private readonly long _decisionWaitTicks;
    private readonly long _rootSettleTicks;
    private readonly Channel<WorkerMessage> _inbox;
    private readonly DecisionCache _cache;
    private readonly Dictionary<TraceId, int> _slots;
    private readonly Stack<int> _freeSlots = new();
    private readonly PriorityQueue<(int Slot, int Generation), long> _due = new();
    private readonly Queue<(int Slot, int Generation)> _arrivals = new();
    private readonly SpanRefArrayPool _spanArrays = new();
    private readonly PooledBufferWriter _exportBuffer = new(64 * 1024);
    private readonly PooledBufferWriter _lateKeptBuffer = new(4 * 1024);
    private readonly Dictionary<(int Policy, double AdjustedCount), byte[]> _attributes = [];
    private readonly ShardJournal? _journal;
    private readonly ReplicaLink? _replica;
    private readonly int _shards;
    private readonly int _workers;
    private readonly KeptTraceExports _exports;
    private readonly ShardTruncation? _truncation;
    private volatile bool _stopping;
    private TraceEntity[] _entities = new TraceEntity[1024];
    private int _slotHighWater;
    private long _bufferedBytes;
    private int _bufferedTraces;
    private long _bufferedSpans;
    private Task _loop = Task.CompletedTask;

    public ShardWorker(int index, SamplingOptions options, PolicySet policies, ITelemetryExporter exporter, SamplerMetrics metrics,
        TimeProvider time, ILogger logger, long maxBufferedBytes, int maxTraces, ShardJournal? journal = null, int shards = 1, int workers = 1,
        DecisionReplica? replica = null)
    {
        _journal = journal;
        _shards = shards;
        _workers = workers;
        _index = index;
        _options = options;
        _policies = policies;
        _exporter = exporter;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _maxBufferedBytes = maxBufferedBytes;
        _maxTraces = maxTraces;
        _decisionWaitTicks = ToTicks(options.DecisionWait);
        _rootSettleTicks = ToTicks(options.RootSettleDelay);
        _replica = replica is null ? null : new ReplicaLink(replica, time, shards, ToTicks(replica.Ttl));
        _cache = new DecisionCache(options.DecisionCache);
        _slots = new Dictionary<TraceId, int>(1024);
        _truncation = journal is null ? null : new ShardTruncation(journal, index, shards, workers, logger);

        // Bounded: when a worker falls behind, receivers wait here, and clients feel it as slower acks.
        _inbox = Channel.CreateBounded<WorkerMessage>(new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        // An export's result wakes the worker, so the trace's completion is journaled now rather than at the next tick.
        _exports = new KeptTraceExports(exporter, () => _inbox.Writer.TryWrite(new WorkerMessage(WorkerMessageKind.ExportDone, null, null)), Delivered);
    }

    /// <summary>Traces in memory, read from other threads for the gauges.</summary>
    public int BufferedTraces => Volatile.Read(ref _bufferedTraces);

    public long BufferedBytes => Volatile.Read(ref _bufferedBytes);

    /// <summary>Bytes of kept traces held in memory until the backend takes them (with a journal).</summary>
    public long PendingExportBytes => _exports.PendingBytes;

    public DecisionCache Cache => _cache;

    /// <summary>
    /// Spans the backend does not have yet: those of undecided traces and of kept traces not confirmed delivered.
    /// With a journal they are all in it. Call once the worker and the exporter stopped.
    /// </summary>
    public long UndeliveredSpans() => _bufferedSpans + _exports.UndeliveredSpans();

    public void Start() => _loop = Task.Run(RunAsync);

    public ValueTask PostAsync(SpanBatch batch, CancellationToken cancellationToken) =>
        _inbox.Writer.WriteAsync(WorkerMessage.Spans(batch), cancellationToken);

    /// <summary>Asks for a look at what is due; dropped when the inbox is full, since the next tick will do.</summary>
    public void PostTick() => _inbox.Writer.TryWrite(WorkerMessage.Tick);

    /// <summary>Completes once everything posted before it has been handled.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken) =>
        PostAndWaitAsync(done => WorkerMessage.Barrier(done), cancellationToken);

    /// <summary>Decides every buffered trace of <paramref name="shard"/>, after everything posted before the call.</summary>
    public Task DecideShardAsync(int shard, CancellationToken cancellationToken) =>
        PostAndWaitAsync(done => new WorkerMessage(WorkerMessageKind.DecideShard, null, done, Shard: shard), cancellationToken);

    // Posts a message that the worker completes once handled (or fails, if handling it threw), and waits for that.
    private async Task PostAndWaitAsync(Func<TaskCompletionSource, WorkerMessage> message, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _inbox.Writer.WriteAsync(message(done), cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The trace's state here, after everything posted before the call.</summary>
    public async Task<TraceState> LookUpAsync(TraceId traceId, int shard, CancellationToken cancellationToken)
    {
        var lookup = new TraceLookup(traceId, shard);
        await _inbox.Writer.WriteAsync(new WorkerMessage(WorkerMessageKind.LookUpTrace, null, null, Lookup: lookup), cancellationToken);
        return await lookup.Answer.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The shard has come here from another node: for the next TTL its spans of traces this worker does not know
    /// look for a decision the old owner replicated, so that late spans follow it.
    /// </summary>
    public void PostShardArrived(int shard)
    {
        var message = new WorkerMessage(WorkerMessageKind.ShardArrived, null, null, Shard: shard);
        if (!_inbox.Writer.TryWrite(message))
        {
            // The inbox is full: wait for room off the caller's (the shard actor's) thread rather than lose the mark.
            _ = Task.Run(async () =>
            {
                try
                {
                    await _inbox.Writer.WriteAsync(message);
                }
                catch (ChannelClosedException)
                {
                    // The worker has stopped: there are no late spans left to follow anything.
                }
            });
        }
    }

    /// <summary>Posts a message of recovery (or any other kind the worker handles in order).</summary>
    public ValueTask PostAsync(WorkerMessage message, CancellationToken cancellationToken) => _inbox.Writer.WriteAsync(message, cancellationToken);

    /// <summary>Returns the worker's pooled buffers; call after <see cref="StopAsync"/>.</summary>
    public void Dispose()
    {
        _exportBuffer.Dispose();
        _lateKeptBuffer.Dispose();
    }

    /// <summary>Completes when the truncation the last tick started (if any) is done.</summary>
    public Task TruncationAsync() => _truncation?.Round ?? Task.CompletedTask;

    /// <summary>
    /// Stops taking spans. Without a journal it decides every trace still buffered and hands the results to the
    /// exporter; with one it leaves them to the journal, so the next start resumes them where they were.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _inbox.Writer.TryComplete();
        await _loop.WaitAsync(cancellationToken);
        await TruncationAsync().WaitAsync(cancellationToken);
        if (_journal is not null)
        {
            return;
        }

        for (var slot = 0; slot < _slotHighWater; slot++)
        {
            if (_entities[slot].Live)
            {
                Decide(slot, DecisionReason.Shutdown);
            }
        }

        await _exports.SendUnsentAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var reader = _inbox.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var message))
            {
                try
                {
                    Handle(message);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // One bad message must not stop the worker that owns all its shards' traces, nor leave its caller waiting.
                    LogWorkerError(_index, e);
                    message.Done?.TrySetException(e);
                    message.Lookup?.Answer.TrySetException(e);
                }
            }
        }
    }

    private void Handle(in WorkerMessage message)
    {
        switch (message.Kind)
        {
            case WorkerMessageKind.Spans:
                var batch = message.Batch!;
                try
                {
                    Append(batch);
                }
                finally
                {
                    batch.Return();
                }

                break;
            case WorkerMessageKind.Tick:
                DecideDue(_time.GetTimestamp());
                PublishDecisions();
                HandleExportResults();
                TruncateWhenDue();
                break;
            case WorkerMessageKind.ExportDone:
                HandleExportResults();
                break;
            case WorkerMessageKind.RecoveredCompleted:
                if (message.Record.Kept)
                {
                    _cache.RecordKept(message.Record.TraceId, message.Record.PolicyIndex, message.Record.AdjustedCount);
                }
                else
                {
                    _cache.RecordDropped(message.Record.TraceId);
                }

                break;
            case WorkerMessageKind.RecoveredKept:
                if (_slots.TryGetValue(message.Record.TraceId, out var kept))
                {
                    Decide(kept, DecisionReason.Timer, message.Record);
                }
                else if (!_cache.TryGetKept(message.Record.TraceId, out Decisions.KeptDecision _))
                {
                    // Nothing of it is left to send again: close it so it stops pinning the journal. (A trace the
                    // replayed spans already decided again has its own export under way, which completes it.)
                    AppendCompletion(message.Shard, message.Record, coveredUpTo: long.MaxValue);
                }

                break;
            case WorkerMessageKind.DecideShard:
                for (var slot = 0; slot < _slotHighWater; slot++)
                {
                    if (_entities[slot].Live && _entities[slot].Shard == message.Shard)
                    {
                        Decide(slot, DecisionReason.Handoff);
                    }
                }

                // Now rather than at the next tick, and to every member: the shard's next owner is about to start and
                // will look for them. The hand-off waits for that write.
                PublishDecisions(written: message.Done);
                break;
            case WorkerMessageKind.ShardArrived:
                _replica?.ShardArrived(message.Shard);
                break;
            case WorkerMessageKind.LookUpTrace:
                message.Lookup!.Answer.TrySetResult(StateOf(message.Lookup.TraceId, message.Lookup.Shard));
                break;
            default:
                HandleExportResults();
                message.Done!.TrySetResult();
                break;
        }
    }

    private TraceState StateOf(TraceId traceId, int shard)
    {
        if (_slots.TryGetValue(traceId, out var slot))
        {
            return new TraceState(TraceStatus.Buffered, BufferedSpans: _entities[slot].SpanCount);
        }

        if (_cache.TryGetKept(traceId, out var kept))
        {
            return new TraceState(TraceStatus.Kept, Policy: _policies.PolicyNames[kept.PolicyIndex], AdjustedCount: kept.AdjustedCount);
        }

        if (_cache.WasDropped(traceId))
        {
            return new TraceState(TraceStatus.Dropped);
        }

        // Decided on another node (before the shard moved here), or by this one longer ago than its cache reaches.
        if (_replica is not null && _replica.TryGetDecision(shard, traceId, out var replicated))
        {
            return TraceState.Decided(replicated, _policies.PolicyNames);
        }

        return new TraceState(TraceStatus.Unknown);
    }

    private void Append(SpanBatch batch)
    {
        var now = batch.ArrivalTimestamp ?? _time.GetTimestamp();
        var spans = batch.Spans;
        _metrics.SpansReceived(spans.Length);
        IngestedRequest? resourceBitsOwner = null;
        ulong[]? resourceBits = null;
        bool[]? resourceBitsKnown = null;
        var lateKept = _lateKeptBuffer;
        lateKept.Clear();
        var lateKeptSpans = 0;
        try
        {
            foreach (ref readonly var routed in spans)
            {
                var span = routed.Span;
                if (!_slots.TryGetValue(routed.TraceId, out var slot))
                {
                    if (_replica is not null && _replica.Consults(routed.Shard, now))
                    {
                        LearnReplicatedDecision(routed.Shard, routed.TraceId);
                    }

                    if (_cache.TryGetKept(routed.TraceId, out Decisions.KeptDecision keptDecision))
                    {
                        _metrics.LateSpan(kept: true);
                        var policy = keptDecision.PolicyIndex;
                        var attributes = AttributesFor(policy, keptDecision.AdjustedCount);
                        if (_journal is not null)
                        {
                            // Journaled: its event stays until the backend has the span.
                            using var single = new PooledBufferWriter(span.Length + 256);
                            KeptTraceWriter.Write([span], attributes, single);
                            _exports.Start(new PendingExport(single.WrittenSpan.ToArray(), 1, routed.Shard, SequenceOf(batch, routed.Shard),
                                new ShardDecisionRecord(routed.TraceId, policy, keptDecision.AdjustedCount), LateSpan: true));
                        }
                        else
                        {
                            KeptTraceWriter.Write([span], attributes, lateKept);
                            lateKeptSpans++;
                        }

                        Release(span);
                        continue;
                    }

                    if (_cache.WasDropped(routed.TraceId))
                    {
                        _metrics.LateSpan(kept: false);
                        Release(span);
                        continue;
                    }

                    _metrics.CacheMiss();
                    slot = Open(routed.TraceId, now, routed.Shard, SequenceOf(batch, routed.Shard));
                }

                // Resource predicates run once per resource of the request, not once per span.
                if (!ReferenceEquals(resourceBitsOwner, span.Request))
                {
                    resourceBitsOwner = span.Request;
                    var resources = span.Request.Scopes[^1].ResourceIndex + 1;
                    ReturnResourceBits(resourceBits, resourceBitsKnown);
                    resourceBits = ArrayPool<ulong>.Shared.Rent(resources);
                    resourceBitsKnown = ArrayPool<bool>.Shared.Rent(resources);
                    Array.Clear(resourceBitsKnown, 0, resources);
                }

                var range = span.Request.Scopes[span.ScopeIndex];
                if (!resourceBitsKnown![range.ResourceIndex])
                {
                    resourceBits![range.ResourceIndex] = ResourcePredicateBits(span.Request, range);
                    resourceBitsKnown[range.ResourceIndex] = true;
                }

                if (batch.Sequences is not null)
                {
                    _entities[slot].LastSequence = Math.Max(_entities[slot].LastSequence, SequenceOf(batch, routed.Shard));
                }

                AddSpan(slot, span, resourceBits![range.ResourceIndex], now);
            }
        }
        finally
        {
            ReturnResourceBits(resourceBits, resourceBitsKnown);
            if (batch.Sequences is { } sequences && _journal is not null)
            {
                foreach (var (shard, sequenceNr) in sequences)
                {
                    _journal.Applied(shard, sequenceNr);
                }
            }
        }

        if (lateKeptSpans > 0)
        {
            Export(lateKept.WrittenSpan, lateKeptSpans);
        }

        while (_bufferedTraces > _maxTraces || _bufferedBytes > _maxBufferedBytes)
        {
            if (!DecideOldest())
            {
                break;
            }
        }
    }

    private ulong ResourcePredicateBits(IngestedRequest request, ScopeRange range)
    {
        var resource = request.Buffer.Span.Slice(range.ResourceOffset, range.ResourceLength);
        var reader = new Otlp.Wire.ProtoReader(resource);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == Otlp.Wire.WireType.LengthDelimited)
            {
                return _policies.ObserveResource(reader.ReadLengthDelimited());
            }

            reader.SkipField(field, wireType);
        }

        return _policies.ObserveResource([]);
    }

    private static void ReturnResourceBits(ulong[]? bits, bool[]? known)
    {
        if (bits is not null)
        {
            ArrayPool<ulong>.Shared.Return(bits);
            ArrayPool<bool>.Shared.Return(known!);
        }
    }

    private static long SequenceOf(SpanBatch batch, int shard) =>
        batch.Sequences is { } sequences && sequences.TryGetValue(shard, out var sequenceNr) ? sequenceNr : 0;

    private int Open(TraceId id, long now, int shard, long firstSequence)
    {
        int slot;
        if (_freeSlots.Count > 0)
        {
            slot = _freeSlots.Pop();
        }
        else
        {
            if (_slotHighWater == _entities.Length)
            {
                Array.Resize(ref _entities, _entities.Length * 2);
            }

            slot = _slotHighWater++;
        }

        ref var entity = ref _entities[slot];
        entity.Id = id;
        entity.Facts = default;
        entity.Spans = _spanArrays.Rent(8);
        entity.SpanCount = 0;
        entity.BufferedBytes = 0;
        entity.DueTimestamp = now + _decisionWaitTicks;
        entity.DueReason = DecisionReason.Timer;
        entity.Shard = shard;
        entity.FirstSequence = firstSequence;
        entity.LastSequence = firstSequence;
        entity.Live = true;
        _slots.Add(id, slot);
        _due.Enqueue((slot, entity.Generation), entity.DueTimestamp);
        _arrivals.Enqueue((slot, entity.Generation));
        _bufferedTraces++;
        return slot;
    }

    private void AddSpan(int slot, in SpanRef span, ulong resourceBits, long now)
    {
        ref var entity = ref _entities[slot];
        if (entity.SpanCount == entity.Spans!.Length)
        {
            var larger = _spanArrays.Rent(entity.Spans.Length * 2);
            entity.Spans.AsSpan(0, entity.SpanCount).CopyTo(larger);
            _spanArrays.Return(entity.Spans, entity.SpanCount);
            entity.Spans = larger;
        }

        entity.Spans[entity.SpanCount++] = span;
        _bufferedSpans++;
        var info = _policies.ObserveSpan(span.Bytes, ref entity.Facts);
        entity.Facts.AddPredicateBits(resourceBits);
        var bytes = span.Length + SpanOverheadBytes;
        entity.BufferedBytes += bytes;
        _bufferedBytes += bytes;

        if (entity.Facts.SpanCount >= _options.MaxSpansPerTrace || entity.Facts.Bytes >= _options.MaxBytesPerTrace)
        {
            Decide(slot, DecisionReason.Size);
            return;
        }

        if (info.IsRoot && _rootSettleTicks > 0 && now + _rootSettleTicks < entity.DueTimestamp)
        {
            entity.DueTimestamp = now + _rootSettleTicks;
            entity.DueReason = DecisionReason.Root;
            _due.Enqueue((slot, entity.Generation), entity.DueTimestamp);
        }
    }

    private void DecideDue(long now)
    {
        while (_due.TryPeek(out var entry, out var due) && due <= now)
        {
            _due.Dequeue();
            ref var entity = ref _entities[entry.Slot];

            // Entries of decided traces, or superseded by an earlier due time, are skipped here.
            if (entity.Live && entity.Generation == entry.Generation && entity.DueTimestamp == due)
            {
                Decide(entry.Slot, entity.DueReason);
            }
        }

        // The arrival queue only matters for its oldest live entry; drop decided ones from its head.
        while (_arrivals.TryPeek(out var oldest) && !IsLive(oldest))
        {
            _arrivals.Dequeue();
        }

        _exports.OfferUnsent();
    }

    // Hands the decisions made since the last call to the replicated set: one message a tick, not one a trace.
    private void PublishDecisions(TaskCompletionSource? written = null)
    {
        if (_replica is null)
        {
            written?.TrySetResult();
            return;
        }

        _replica.Publish(written);
    }

    // A trace this worker does not know, of a shard that came here lately: the old owner may have decided it. Its
    // decision goes into the cache, where the late-span path finds it like any decision made here.
    private void LearnReplicatedDecision(int shard, TraceId traceId)
    {
        if (_cache.TryGetKept(traceId, out _) || _cache.WasDropped(traceId) || !_replica!.TryGetDecision(shard, traceId, out var decision))
        {
            return;
        }

        if (decision.IsKept)
        {
            _cache.RecordKept(traceId, decision.PolicyIndex, decision.AdjustedCount);
        }
        else
        {
            _cache.RecordDropped(traceId);
        }

        _metrics.ReplicatedDecisionFollowed(decision.IsKept);
    }

    private bool DecideOldest()
    {
        while (_arrivals.TryDequeue(out var oldest))
        {
            if (IsLive(oldest))
            {
                Decide(oldest.Slot, DecisionReason.MemoryPressure);
                return true;
            }
        }

        return false;
    }

    private bool IsLive((int Slot, int Generation) entry) =>
        _entities[entry.Slot].Live && _entities[entry.Slot].Generation == entry.Generation;

    private void Decide(int slot, DecisionReason reason, ShardDecisionRecord? recovered = null)
    {
        ref var entity = ref _entities[slot];
        ShardDecisionRecord record;
        string? dropPolicy = null;
        if (recovered is { } known)
        {
            record = known;
        }
        else
        {
            Span<byte> traceId = stackalloc byte[TraceId.Length];
            entity.Id.WriteTo(traceId);
            var decision = _policies.Decide(in entity.Facts, traceId, _time.GetTimestamp());
            record = new ShardDecisionRecord(entity.Id, decision.Keep ? decision.PolicyIndex : -1, decision.AdjustedCount);
            dropPolicy = decision.DroppedByDropPolicy ? decision.PolicyName : null;
        }

        _metrics.Decided(reason);
        _replica?.Decided(entity.Shard, entity.Id, record);

        var spans = entity.Spans.AsSpan(0, entity.SpanCount);
        if (record.Kept)
        {
            var policyName = _policies.PolicyNames[record.PolicyIndex];
            _metrics.Kept(policyName);
            _cache.RecordKept(entity.Id, record.PolicyIndex, record.AdjustedCount);
            var output = _exportBuffer;
            output.Clear();
            KeptTraceWriter.Write(spans, AttributesFor(record.PolicyIndex, record.AdjustedCount), output);
            if (_journal is null)
            {
                Export(output.WrittenSpan, entity.SpanCount);
            }
            else
            {
                if (recovered is null)
                {
                    AppendEvent(entity.Shard, ShardEventType.TraceKept, record);
                }

                _exports.Start(new PendingExport(output.WrittenSpan.ToArray(), entity.SpanCount, entity.Shard, entity.FirstSequence, record, LateSpan: false,
                    entity.LastSequence));
            }
        }
        else
        {
            _metrics.Dropped(dropPolicy);
            _cache.RecordDropped(entity.Id);
            if (_journal is not null)
            {
                AppendCompletion(entity.Shard, record, entity.LastSequence);
            }
        }

        foreach (ref readonly var span in spans)
        {
            Release(span);
        }

        _spanArrays.Return(entity.Spans!, entity.SpanCount);
        _slots.Remove(entity.Id);
        _bufferedBytes -= entity.BufferedBytes;
        _bufferedSpans -= entity.SpanCount;
        _bufferedTraces--;
        entity.Spans = null;
        entity.Live = false;
        entity.Generation++;
        _freeSlots.Push(slot);
    }

    private void HandleExportResults() => _exports.HandleResults(_stopping);

    // The backend has a pending export (or refused it for good): a trace's own export completes it in the journal.
    // A late span's never does: the trace's completion is journaled apart from it.
    private void Delivered(PendingExport export)
    {
        if (!export.LateSpan)
        {
            AppendCompletion(export.Shard, export.Decision, export.LastSequence);
        }
    }

    private void AppendEvent(int shard, ShardEventType type, ShardDecisionRecord record) =>
        _ = AppendEventAsync(shard, type, record, record.Encode());

    // A late span's own export never completes the trace: its event stays needed until that export is delivered,
    // and a crash before then replays it even though the trace's completion came later in the journal.
    private void AppendCompletion(int shard, ShardDecisionRecord record, long coveredUpTo) =>
        _ = AppendEventAsync(shard, ShardEventType.TraceCompleted, record, record.EncodeCompletion(coveredUpTo));

    private async Task AppendEventAsync(int shard, ShardEventType type, ShardDecisionRecord record, byte[] payload)
    {
        try
        {
            var (_, committed) = await _journal!.AppendAsync(shard, type, payload, awaitApply: false, CancellationToken.None);
            await committed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A lost decision event only means the trace is decided again after a restart.
            LogDecisionEventFailed(type, ShardJournal.PersistenceId(shard), e.Message);
        }
    }

    // Every so often, each shard of this worker drops the events that no buffered trace or pending export needs.
    private void TruncateWhenDue()
    {
        if (_truncation is null || !_truncation.Tick())
        {
            return;
        }

        var oldestNeeded = new Dictionary<int, long>();
        for (var slot = 0; slot < _slotHighWater; slot++)
        {
            ref var entity = ref _entities[slot];
            if (entity.Live && entity.FirstSequence > 0)
            {
                oldestNeeded[entity.Shard] = Math.Min(oldestNeeded.GetValueOrDefault(entity.Shard, long.MaxValue), entity.FirstSequence);
            }
        }

        foreach (var export in _exports.Pending)
        {
            if (export.FirstSequence > 0)
            {
                oldestNeeded[export.Shard] = Math.Min(oldestNeeded.GetValueOrDefault(export.Shard, long.MaxValue), export.FirstSequence);
            }
        }

        _truncation.Start(oldestNeeded);
    }

    private void Export(ReadOnlySpan<byte> written, int spans) => _exports.Send(written, spans);

    /// <summary>The encoded sampling attributes, once per policy and adjusted count (a handful per policy set).</summary>
    private byte[] AttributesFor(int policyIndex, double adjustedCount)
    {
        if (!_attributes.TryGetValue((policyIndex, adjustedCount), out var encoded))
        {
            encoded = SamplingAttributes.Encode(_policies.PolicyNames[policyIndex], adjustedCount);
            _attributes[(policyIndex, adjustedCount)] = encoded;
        }

        return encoded;
    }

    private static void Release(in SpanRef span) => span.Request.Release();

    private long ToTicks(TimeSpan duration) => (long)(duration.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Could not journal {Type} for {PersistenceId}: {Reason}")]
    private partial void LogDecisionEventFailed(ShardEventType type, string persistenceId, string reason);

    [LoggerMessage(EventId = 43, Level = LogLevel.Error, Message = "Shard worker {Worker} failed to handle a message; it goes on with the next")]
    private partial void LogWorkerError(int worker, Exception exception);
}
