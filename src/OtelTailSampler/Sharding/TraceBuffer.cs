namespace OtelTailSampler.Sharding;

/// <summary>
/// The traces one trace shard is collecting: a slab of <see cref="TraceEntity"/> state machines (no object per
/// trace beyond a pooled array of span references), the index by trace ID and the due times in a priority queue.
/// Owned by the shard's actor; it adds to and takes from the node's <see cref="NodeTraceBudget"/>, which keeps the
/// arrival order across shards for memory pressure.
/// </summary>
internal sealed class TraceBuffer(int shard, NodeTraceBudget budget, long decisionWaitTicks, long rootSettleTicks)
{
    /// <summary>Bookkeeping per buffered span beyond its bytes: its reference in the entity's array.</summary>
    public const int SpanOverheadBytes = 24;

    private readonly Dictionary<TraceId, int> _slots = new(64);
    private readonly Stack<int> _freeSlots = new();
    private readonly PriorityQueue<(int Slot, int Generation), long> _due = new();
    private readonly SpanRefArrayPool _spanArrays = new();
    private TraceEntity[] _entities = new TraceEntity[64];
    private int _slotHighWater;

    // Added since the last report to the node's budget: it is shared by every shard of the node, so it is told once
    // a part, not once a span.
    private int _unreportedSpans;
    private long _unreportedBytes;

    public int Count => _slots.Count;

    /// <summary>Spans of the traces collecting here.</summary>
    public long Spans { get; private set; }

    public ref TraceEntity this[int slot] => ref _entities[slot];

    public bool TryGetSlot(TraceId traceId, out int slot) => _slots.TryGetValue(traceId, out slot);

    /// <summary>Slots of every trace collecting here, for a pass over all of them (the set may not change meanwhile).</summary>
    public IEnumerable<int> LiveSlots()
    {
        for (var slot = 0; slot < _slotHighWater; slot++)
        {
            if (_entities[slot].Live)
            {
                yield return slot;
            }
        }
    }

    public int Open(TraceId id, long now, long firstSequence)
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
        entity.DueTimestamp = now + decisionWaitTicks;
        entity.DueReason = DecisionReason.Timer;
        entity.FirstSequence = firstSequence;
        entity.LastSequence = firstSequence;
        entity.Live = true;
        _slots.Add(id, slot);
        _due.Enqueue((slot, entity.Generation), entity.DueTimestamp);
        budget.TraceOpened(shard, id, now);
        return slot;
    }

    /// <summary>Adds a span's reference (its facts are the caller's to observe); a root brings the due time forward.</summary>
    public void Add(int slot, in SpanRef span, bool isRoot, long now)
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
        Spans++;
        var bytes = span.Length + SpanOverheadBytes;
        entity.BufferedBytes += bytes;
        _unreportedSpans++;
        _unreportedBytes += bytes;

        if (isRoot && rootSettleTicks > 0 && now + rootSettleTicks < entity.DueTimestamp)
        {
            entity.DueTimestamp = now + rootSettleTicks;
            entity.DueReason = DecisionReason.Root;
            _due.Enqueue((slot, entity.Generation), entity.DueTimestamp);
        }
    }

    /// <summary>The next trace due by <paramref name="now"/>, if any; entries of decided or rescheduled traces are skipped.</summary>
    public bool TryTakeDue(long now, out int slot)
    {
        while (_due.TryPeek(out var entry, out var due) && due <= now)
        {
            _due.Dequeue();
            ref var entity = ref _entities[entry.Slot];
            if (entity.Live && entity.Generation == entry.Generation && entity.DueTimestamp == due)
            {
                slot = entry.Slot;
                return true;
            }
        }

        slot = -1;
        return false;
    }

    /// <summary>The oldest journal event a collecting trace still needs, or null when none does.</summary>
    public long? OldestSequenceNeeded()
    {
        long? oldest = null;
        for (var slot = 0; slot < _slotHighWater; slot++)
        {
            ref var entity = ref _entities[slot];
            if (entity.Live && entity.FirstSequence > 0 && (oldest is null || entity.FirstSequence < oldest))
            {
                oldest = entity.FirstSequence;
            }
        }

        return oldest;
    }

    /// <summary>Tells the node's budget what was added since the last report.</summary>
    public void ReportToBudget()
    {
        if (_unreportedSpans > 0)
        {
            budget.SpansAdded(_unreportedSpans, _unreportedBytes);
            _unreportedSpans = 0;
            _unreportedBytes = 0;
        }
    }

    /// <summary>The trace was decided: lets go of its spans' requests and frees its slot.</summary>
    public void Close(int slot)
    {
        ref var entity = ref _entities[slot];
        foreach (ref readonly var span in entity.Spans.AsSpan(0, entity.SpanCount))
        {
            span.Request.Release();
        }

        _spanArrays.Return(entity.Spans!, entity.SpanCount);
        _slots.Remove(entity.Id);
        ReportToBudget();
        budget.TraceClosed(entity.SpanCount, entity.BufferedBytes);
        Spans -= entity.SpanCount;
        entity.Spans = null;
        entity.Live = false;
        entity.Generation++;
        _freeSlots.Push(slot);
    }
}
