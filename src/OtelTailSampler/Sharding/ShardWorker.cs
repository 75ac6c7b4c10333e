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
internal sealed partial class ShardWorker
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
    private readonly Queue<(byte[] Request, int Spans)> _unsentExports = new();
    private readonly byte[]?[] _attributesByPolicy;
    private TraceEntity[] _entities = new TraceEntity[1024];
    private int _slotHighWater;
    private long _bufferedBytes;
    private int _bufferedTraces;
    private Task _loop = Task.CompletedTask;

    public ShardWorker(int index, SamplingOptions options, PolicySet policies, ITelemetryExporter exporter, SamplerMetrics metrics,
        TimeProvider time, ILogger logger, long maxBufferedBytes, int maxTraces)
    {
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
        _cache = new DecisionCache(options.DecisionCache);
        _slots = new Dictionary<TraceId, int>(1024);
        _attributesByPolicy = new byte[policies.PolicyNames.Count][];

        // Bounded: when a worker falls behind, receivers wait here, and clients feel it as slower acks.
        _inbox = Channel.CreateBounded<WorkerMessage>(new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>Traces in memory, read from other threads for the gauges.</summary>
    public int BufferedTraces => Volatile.Read(ref _bufferedTraces);

    public long BufferedBytes => Volatile.Read(ref _bufferedBytes);

    public DecisionCache Cache => _cache;

    public void Start() => _loop = Task.Run(RunAsync);

    public ValueTask PostAsync(SpanBatch batch, CancellationToken cancellationToken) =>
        _inbox.Writer.WriteAsync(WorkerMessage.Spans(batch), cancellationToken);

    /// <summary>Asks for a look at what is due; dropped when the inbox is full, since the next tick will do.</summary>
    public void PostTick() => _inbox.Writer.TryWrite(WorkerMessage.Tick);

    /// <summary>Completes once everything posted before it has been handled.</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _inbox.Writer.WriteAsync(WorkerMessage.Barrier(done), cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops taking spans, decides every trace still buffered, and hands the results to the exporter.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _inbox.Writer.TryComplete();
        await _loop.WaitAsync(cancellationToken);
        for (var slot = 0; slot < _slotHighWater; slot++)
        {
            if (_entities[slot].Live)
            {
                Decide(slot, DecisionReason.Shutdown);
            }
        }

        while (_unsentExports.Count > 0)
        {
            var (request, spans) = _unsentExports.Peek();
            if (_exporter.TryEnqueue(OtlpSignal.Traces, request, spans))
            {
                _unsentExports.Dequeue();
                continue;
            }

            // The exporter's queue is full: wait for it to drain, then try again.
            await _exporter.FlushAsync(cancellationToken);
        }
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
                    // One bad message must not stop the worker that owns all its shards' traces.
                    LogWorkerError(_index, e);
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
                break;
            default:
                message.Done!.TrySetResult();
                break;
        }
    }

    private void Append(SpanBatch batch)
    {
        var now = _time.GetTimestamp();
        var spans = batch.Spans;
        _metrics.SpansReceived(spans.Length);
        IngestedRequest? resourceBitsOwner = null;
        ulong[]? resourceBits = null;
        bool[]? resourceBitsKnown = null;
        using var lateKept = new PooledBufferWriter(256);
        var lateKeptSpans = 0;
        try
        {
            foreach (ref readonly var routed in spans)
            {
                var span = routed.Span;
                if (!_slots.TryGetValue(routed.TraceId, out var slot))
                {
                    if (_cache.TryGetKept(routed.TraceId, out var policy))
                    {
                        _metrics.LateSpan(kept: true);
                        KeptTraceWriter.Write([span], AttributesFor(policy, _policies.PolicyNames[policy], double.NaN), lateKept);
                        lateKeptSpans++;
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
                    slot = Open(routed.TraceId, now);
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

                AddSpan(slot, span, resourceBits![range.ResourceIndex], now);
            }
        }
        finally
        {
            ReturnResourceBits(resourceBits, resourceBitsKnown);
        }

        if (lateKeptSpans > 0)
        {
            Export(lateKept.WrittenSpan.ToArray(), lateKeptSpans);
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

    private int Open(TraceId id, long now)
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
        entity.Spans = ArrayPool<SpanRef>.Shared.Rent(8);
        entity.SpanCount = 0;
        entity.BufferedBytes = 0;
        entity.DueTimestamp = now + _decisionWaitTicks;
        entity.DueReason = DecisionReason.Timer;
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
            var larger = ArrayPool<SpanRef>.Shared.Rent(entity.Spans.Length * 2);
            entity.Spans.AsSpan(0, entity.SpanCount).CopyTo(larger);
            ArrayPool<SpanRef>.Shared.Return(entity.Spans, clearArray: true);
            entity.Spans = larger;
        }

        entity.Spans[entity.SpanCount++] = span;
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

        while (_unsentExports.TryPeek(out var unsent) && _exporter.TryEnqueue(OtlpSignal.Traces, unsent.Request, unsent.Spans))
        {
            _unsentExports.Dequeue();
        }
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

    private void Decide(int slot, DecisionReason reason)
    {
        ref var entity = ref _entities[slot];
        Span<byte> traceId = stackalloc byte[TraceId.Length];
        entity.Id.WriteTo(traceId);
        var decision = _policies.Decide(in entity.Facts, traceId, _time.GetTimestamp());
        _metrics.Decided(reason);
        var spans = entity.Spans.AsSpan(0, entity.SpanCount);
        if (decision.Keep)
        {
            _metrics.Kept(decision.PolicyName!);
            _cache.RecordKept(entity.Id, decision.PolicyIndex);
            using var output = new PooledBufferWriter((int)Math.Min(entity.BufferedBytes * 2, 16 * 1024 * 1024));
            KeptTraceWriter.Write(spans, AttributesFor(decision.PolicyIndex, decision.PolicyName!, decision.AdjustedCount), output);
            Export(output.WrittenSpan.ToArray(), entity.SpanCount);
        }
        else
        {
            _metrics.Dropped(decision.DroppedByDropPolicy ? decision.PolicyName : null);
            _cache.RecordDropped(entity.Id);
        }

        foreach (ref readonly var span in spans)
        {
            Release(span);
        }

        ArrayPool<SpanRef>.Shared.Return(entity.Spans!, clearArray: true);
        _slots.Remove(entity.Id);
        _bufferedBytes -= entity.BufferedBytes;
        _bufferedTraces--;
        entity.Spans = null;
        entity.Live = false;
        entity.Generation++;
        _freeSlots.Push(slot);
    }

    private void Export(byte[] request, int spans)
    {
        // A full exporter queue must not lose a decided trace: hold it and offer it again on the next tick.
        if (_unsentExports.Count > 0 || !_exporter.TryEnqueue(OtlpSignal.Traces, request, spans))
        {
            _unsentExports.Enqueue((request, spans));
        }
    }

    /// <summary>The encoded sampling attributes of a policy; the first keep fixes its adjusted count.</summary>
    private byte[] AttributesFor(int policyIndex, string policyName, double adjustedCount) =>
        _attributesByPolicy[policyIndex] ??= SamplingAttributes.Encode(policyName, double.IsNaN(adjustedCount) ? 1 : adjustedCount);

    private static void Release(in SpanRef span) => span.Request.Release();

    private long ToTicks(TimeSpan duration) => (long)(duration.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shard worker {Worker} failed to handle a message; it goes on with the next")]
    private partial void LogWorkerError(int worker, Exception exception);
}
