using System.Buffers;
using Akka.Actor;
using OtelTailSampler.Decisions;
using OtelTailSampler.Otlp;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Sharding;

/// <summary>
/// What a trace shard does with its spans, on its actor's thread. A trace is Collecting until it is due
/// (decision-wait, root + settle, size, memory pressure); then the node's policies decide, a kept trace is written
/// out with its sampling attributes, and the decision goes to the shard's decision cache, where late spans find it,
/// and to the replicated decisions. With a journal the shard's decision events are persisted through the actor,
/// and a kept trace stays pending until the backend has it.
/// </summary>
internal sealed class ShardTraces : IDisposable
{
    private readonly int _shard;
    private readonly TraceShardContext _node;
    private readonly Action<SegmentEvent> _persist;
    private readonly TraceBuffer _buffer;
    private readonly DecisionCache _cache;
    private readonly KeptTraceExports _exports;
    private readonly ReplicaLink? _replica;
    private readonly PooledBufferWriter _exportBuffer = new(16 * 1024);
    private readonly PooledBufferWriter _lateKeptBuffer = new(4 * 1024);
    private readonly Dictionary<(int Policy, double AdjustedCount), byte[]> _attributes = [];
    private readonly int _maxSpansPerTrace;
    private readonly long _maxBytesPerTrace;

    /// <param name="self">The shard's actor, woken when the exporter reports a result.</param>
    /// <param name="persist">Persists a decision event of the shard (asynchronously, in order with its other writes).</param>
    public ShardTraces(int shard, TraceShardContext node, IActorRef self, Action<SegmentEvent> persist)
    {
        _shard = shard;
        _node = node;
        _persist = persist;
        var options = node.Options;
        _buffer = new TraceBuffer(shard, node.Budget, node.ToTicks(options.DecisionWait), node.ToTicks(options.RootSettleDelay));
        _cache = new DecisionCache(new DecisionCacheOptions
        {
            KeptSize = Math.Max(1, options.DecisionCache.KeptSize / node.Shards),
            DroppedSize = Math.Max(1, options.DecisionCache.DroppedSize / node.Shards),
        });
        _exports = new KeptTraceExports(node.Exporter, node.Budget, () => self.Tell(ExportsDone.Instance), Delivered);
        _replica = node.Replica is { } replica ? new ReplicaLink(replica, node.Time, node.Shards, node.ToTicks(replica.Ttl)) : null;
        _maxSpansPerTrace = options.MaxSpansPerTrace;
        _maxBytesPerTrace = options.MaxBytesPerTrace;
    }

    /// <summary>Whether no kept trace waits for the backend or for room in the exporter's queue.</summary>
    public bool ExportsIdle => _exports.Idle;

    /// <summary>The shard has come here from another node: for the next TTL its unknown traces are looked up.</summary>
    public void ArrivedFromElsewhere() => _replica?.ShardArrived(_shard);

    /// <summary>
    /// Takes a part's spans: each goes to its collecting trace, or opens one, or, for a decided trace, follows the
    /// decision (a late span). <paramref name="sequenceNr"/> is the SpansAppended event holding them (0 without a journal).
    /// </summary>
    public void Append(SpanBatch batch, long sequenceNr, long? arrivalTimestamp = null)
    {
        var now = arrivalTimestamp ?? _node.Time.GetTimestamp();
        var policies = _node.Policies;
        var spans = batch.Spans;
        _node.Metrics.SpansReceived(spans.Length);
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
                if (!_buffer.TryGetSlot(routed.TraceId, out var slot))
                {
                    if (FollowDecision(routed, sequenceNr, now, lateKept, ref lateKeptSpans))
                    {
                        span.Request.Release();
                        continue;
                    }

                    _node.Metrics.CacheMiss();
                    slot = _buffer.Open(routed.TraceId, now, sequenceNr);
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

                ref var entity = ref _buffer[slot];
                entity.LastSequence = Math.Max(entity.LastSequence, sequenceNr);
                var info = policies.ObserveSpan(span.Bytes, ref entity.Facts);
                entity.Facts.AddPredicateBits(resourceBits![range.ResourceIndex]);
                _buffer.Add(slot, span, info.IsRoot, now);
                if (entity.Facts.SpanCount >= _maxSpansPerTrace || entity.Facts.Bytes >= _maxBytesPerTrace)
                {
                    Decide(slot, DecisionReason.Size);
                }
            }
        }
        finally
        {
            ReturnResourceBits(resourceBits, resourceBitsKnown);
            batch.Return();
            _buffer.ReportToBudget();
        }

        if (lateKeptSpans > 0)
        {
            _exports.Send(lateKept.WrittenSpan, lateKeptSpans);
        }

        DecideOldestWhileOverBudget();
    }

    /// <summary>Decides what is due, publishes the decisions made since the last tick, and hands on export results.</summary>
    public void Tick()
    {
        var now = _node.Time.GetTimestamp();
        while (_buffer.TryTakeDue(now, out var slot))
        {
            Decide(slot, _buffer[slot].DueReason);
        }

        DecideOldestWhileOverBudget();
        _exports.OfferUnsent();
        _ = PublishDecisions(toEveryMember: false);
        HandleExportResults();
    }

    public void HandleExportResults() => _exports.HandleResults(stopping: false);

    /// <summary>Decides every trace still collecting here (a hand-off, or a stop without a journal).</summary>
    public void DecideAll(DecisionReason reason)
    {
        foreach (var slot in _buffer.LiveSlots().ToArray())
        {
            Decide(slot, reason);
        }
    }

    /// <summary>
    /// Hands the decisions made since the last call to the replicated set: one message, not one a trace. With
    /// <paramref name="toEveryMember"/> (a hand-off) the task completes once every member has them.
    /// </summary>
    public Task PublishDecisions(bool toEveryMember)
    {
        if (_replica is null)
        {
            return Task.CompletedTask;
        }

        var written = toEveryMember ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        _replica.Publish(written);
        return written?.Task ?? Task.CompletedTask;
    }

    /// <summary>The oldest journal event a collecting trace or a pending export still needs, or null when none does.</summary>
    public long? OldestSequenceNeeded()
    {
        var oldest = _buffer.OldestSequenceNeeded();
        foreach (var export in _exports.Pending)
        {
            if (export.FirstSequence > 0 && (oldest is null || export.FirstSequence < oldest))
            {
                oldest = export.FirstSequence;
            }
        }

        return oldest;
    }

    public TraceState StateOf(TraceId traceId)
    {
        if (_buffer.TryGetSlot(traceId, out var slot))
        {
            return new TraceState(TraceStatus.Buffered, BufferedSpans: _buffer[slot].SpanCount);
        }

        var names = _node.Policies.PolicyNames;
        if (_cache.TryGetKept(traceId, out var kept))
        {
            return new TraceState(TraceStatus.Kept, Policy: names[kept.PolicyIndex], AdjustedCount: kept.AdjustedCount);
        }

        if (_cache.WasDropped(traceId))
        {
            return new TraceState(TraceStatus.Dropped);
        }

        // Decided on another node (before the shard moved here), or here longer ago than the cache reaches.
        if (_replica is not null && _replica.TryGetDecision(_shard, traceId, out var replicated))
        {
            return TraceState.Decided(replicated, names);
        }

        return new TraceState(TraceStatus.Unknown);
    }

    /// <summary>
    /// Takes back what the journal held of this shard: completed decisions into the cache (late spans still follow
    /// them), undecided traces with their timers running from when their spans first arrived, and kept traces not
    /// yet delivered exported again.
    /// </summary>
    public void Recover(JournalReplay replay, long lastSequenceNr)
    {
        foreach (var (_, record) in replay.Completed())
        {
            if (record.Kept)
            {
                _cache.RecordKept(record.TraceId, record.PolicyIndex, record.AdjustedCount);
            }
            else
            {
                _cache.RecordDropped(record.TraceId);
            }
        }

        var time = _node.Time;
        var now = time.GetTimestamp();
        var wallNow = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (_, batch, writtenAtUnixMs) in replay.SpanBatches())
        {
            var arrival = now - (long)(Math.Max(0, wallNow - writtenAtUnixMs) * (double)time.TimestampFrequency / 1000);
            var sequenceNr = batch.Sequences is { } sequences && sequences.TryGetValue(_shard, out var appended) ? appended : lastSequenceNr;
            Append(batch, sequenceNr, arrival);
        }

        foreach (var (_, record) in replay.Kept())
        {
            if (_buffer.TryGetSlot(record.TraceId, out var slot))
            {
                Decide(slot, DecisionReason.Timer, record);
            }
            else if (!_cache.TryGetKept(record.TraceId, out KeptDecision _))
            {
                // Nothing of it is left to send again: close it so it stops pinning the journal. (A trace the
                // replayed spans already decided again has its own export under way, which completes it.)
                PersistCompletion(record, coveredUpTo: long.MaxValue);
            }
        }
    }

    /// <summary>
    /// The actor stopped. With <paramref name="decideBuffered"/> (no journal) every trace still collecting is decided
    /// now; what the exporter's full queue turned away goes to the node, which hands it over as it stops.
    /// </summary>
    public void Stopped(bool decideBuffered)
    {
        if (decideBuffered)
        {
            DecideAll(DecisionReason.Shutdown);
        }

        _node.Directory.KeepUnsent(_exports.TakeUnsent());
        Dispose();
    }

    /// <summary>Returns the pooled buffers (once the shard has stopped).</summary>
    public void Dispose()
    {
        _exportBuffer.Dispose();
        _lateKeptBuffer.Dispose();
    }

    // A span of a trace that is not collecting here: it follows the decision if there is one (cached, or replicated
    // by the shard's owner before it moved here). True when it did. Without a journal a kept one is written to
    // lateKept (counted in lateKeptSpans), which goes to the exporter once for the whole part.
    private bool FollowDecision(in RoutedSpan routed, long sequenceNr, long now, PooledBufferWriter lateKept, ref int lateKeptSpans)
    {
        if (_replica is not null && _replica.Consults(_shard, now))
        {
            LearnReplicatedDecision(routed.TraceId);
        }

        if (_cache.TryGetKept(routed.TraceId, out KeptDecision kept))
        {
            _node.Metrics.LateSpan(kept: true);
            var attributes = AttributesFor(kept.PolicyIndex, kept.AdjustedCount);
            if (_node.Journaled)
            {
                // Journaled: its event stays until the backend has the span.
                using var single = new PooledBufferWriter(routed.Span.Length + 256);
                KeptTraceWriter.Write([routed.Span], attributes, single);
                _exports.Start(new PendingExport(single.WrittenSpan.ToArray(), 1, _shard, sequenceNr,
                    new ShardDecisionRecord(routed.TraceId, kept.PolicyIndex, kept.AdjustedCount), LateSpan: true));
            }
            else
            {
                KeptTraceWriter.Write([routed.Span], attributes, lateKept);
                lateKeptSpans++;
            }

            return true;
        }

        if (_cache.WasDropped(routed.TraceId))
        {
            _node.Metrics.LateSpan(kept: false);
            return true;
        }

        return false;
    }

    // A trace unknown here, of a shard that came here lately: the old owner may have decided it. Its decision goes
    // into the cache, where the late-span path finds it like any decision made here. A kept decision naming a policy
    // this node does not have (the nodes' policy lists differ) cannot be written out with its attributes: the span
    // is taken as a new trace instead, and the replicated decision is not counted as followed.
    private void LearnReplicatedDecision(TraceId traceId)
    {
        if (_cache.TryGetKept(traceId, out _) || _cache.WasDropped(traceId) || !_replica!.TryGetDecision(_shard, traceId, out var decision))
        {
            return;
        }

        if (decision.IsKept)
        {
            if (decision.PolicyIndex >= _node.Policies.PolicyNames.Count)
            {
                return;
            }

            _cache.RecordKept(traceId, decision.PolicyIndex, decision.AdjustedCount);
        }
        else
        {
            _cache.RecordDropped(traceId);
        }

        _node.Metrics.ReplicatedDecisionFollowed(decision.IsKept);
    }

    /// <summary>Memory pressure on another shard: decide this trace now, if it is still collecting here.</summary>
    public void DecideEarly(TraceId traceId)
    {
        if (_buffer.TryGetSlot(traceId, out var slot))
        {
            Decide(slot, DecisionReason.MemoryPressure);
        }
    }

    // The node's oldest traces are decided early while it is over its limits. One of this shard is decided here and
    // now; one of another shard is that shard's to decide, so it is asked to, and this shard stops: until the other
    // has done it, the node still looks over its limits.
    private void DecideOldestWhileOverBudget()
    {
        var budget = _node.Budget;
        while (budget.Over && budget.TryTakeOldest(out var shard, out var traceId))
        {
            if (shard == _shard)
            {
                DecideEarly(traceId);
            }
            else if (_node.Directory.DecideEarly(shard, traceId))
            {
                return;
            }
        }
    }

    private void Decide(int slot, DecisionReason reason, ShardDecisionRecord? recovered = null)
    {
        ref var entity = ref _buffer[slot];
        var policies = _node.Policies;
        var metrics = _node.Metrics;
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
            var decision = policies.Decide(in entity.Facts, traceId, _node.Time.GetTimestamp());
            record = new ShardDecisionRecord(entity.Id, decision.Keep ? decision.PolicyIndex : -1, decision.AdjustedCount);
            dropPolicy = decision.DroppedByDropPolicy ? decision.PolicyName : null;
        }

        metrics.Decided(reason);
        _replica?.Decided(_shard, entity.Id, record);

        if (record.Kept)
        {
            metrics.Kept(policies.PolicyNames[record.PolicyIndex]);
            _cache.RecordKept(entity.Id, record.PolicyIndex, record.AdjustedCount);
            var output = _exportBuffer;
            output.Clear();
            KeptTraceWriter.Write(entity.Spans.AsSpan(0, entity.SpanCount), AttributesFor(record.PolicyIndex, record.AdjustedCount), output);
            if (!_node.Journaled)
            {
                _exports.Send(output.WrittenSpan, entity.SpanCount);
            }
            else
            {
                if (recovered is null)
                {
                    _persist(new SegmentEvent((int)ShardEventType.TraceKept, record.Encode()));
                }

                _exports.Start(new PendingExport(output.WrittenSpan.ToArray(), entity.SpanCount, _shard, entity.FirstSequence, record, LateSpan: false,
                    entity.LastSequence));
            }
        }
        else
        {
            metrics.Dropped(dropPolicy);
            _cache.RecordDropped(entity.Id);
            if (_node.Journaled)
            {
                PersistCompletion(record, entity.LastSequence);
            }
        }

        _buffer.Close(slot);
    }

    // The backend has a pending export (or refused it for good): a trace's own export completes it in the journal.
    // A late span's never does: the trace's completion is journaled apart from it.
    private void Delivered(PendingExport export)
    {
        if (!export.LateSpan)
        {
            PersistCompletion(export.Decision, export.LastSequence);
        }
    }

    // A late span's own export never completes the trace: its event stays needed until that export is delivered,
    // and a crash before then replays it even though the trace's completion came later in the journal.
    private void PersistCompletion(ShardDecisionRecord record, long coveredUpTo) =>
        _persist(new SegmentEvent((int)ShardEventType.TraceCompleted, record.EncodeCompletion(coveredUpTo)));

    private ulong ResourcePredicateBits(IngestedRequest request, ScopeRange range)
    {
        var resource = request.Buffer.Span.Slice(range.ResourceOffset, range.ResourceLength);
        var reader = new Otlp.Wire.ProtoReader(resource);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == Otlp.Wire.WireType.LengthDelimited)
            {
                return _node.Policies.ObserveResource(reader.ReadLengthDelimited());
            }

            reader.SkipField(field, wireType);
        }

        return _node.Policies.ObserveResource([]);
    }

    private static void ReturnResourceBits(ulong[]? bits, bool[]? known)
    {
        if (bits is not null)
        {
            ArrayPool<ulong>.Shared.Return(bits);
            ArrayPool<bool>.Shared.Return(known!);
        }
    }

    /// <summary>The encoded sampling attributes, once per policy and adjusted count (a handful per policy set).</summary>
    private byte[] AttributesFor(int policyIndex, double adjustedCount)
    {
        if (!_attributes.TryGetValue((policyIndex, adjustedCount), out var encoded))
        {
            encoded = SamplingAttributes.Encode(_node.Policies.PolicyNames[policyIndex], adjustedCount);
            _attributes[(policyIndex, adjustedCount)] = encoded;
        }

        return encoded;
    }

    /// <summary>The exporter has a result for the shard: handle it now rather than at the next tick.</summary>
    public sealed class ExportsDone
    {
        public static ExportsDone Instance { get; } = new();

        private ExportsDone()
        {
        }
    }
}
