namespace OtelTailSampler.Persistence;

/// <summary>
/// Which stored segments still hold events that are not deleted. Deleting a persistence id's events only moves its
/// deletion mark; a segment row is dropped once every id it holds has been deleted past it. Covers the segments this
/// journal wrote or found when it opened. Thread-safe.
/// </summary>
internal sealed class SegmentIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<(long SegmentNr, long LastSequenceNr)>> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _deletedTo = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _liveIds = [];

    /// <summary>Segments that still hold an event not deleted.</summary>
    public int LiveSegments
    {
        get
        {
            lock (_lock)
            {
                return _liveIds.Count;
            }
        }
    }

    /// <summary>
    /// A stored segment (in segment order per id). Returns true when it holds nothing live already (every id in it was
    /// deleted past it, as can happen when a deletion ran between its commit and this call): drop it.
    /// </summary>
    public bool Add(long segmentNr, IReadOnlyList<SegmentEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_lock)
        {
            var live = 0;
            foreach (var entry in entries)
            {
                if (entry.LastSequenceNr <= _deletedTo.GetValueOrDefault(entry.PersistenceId))
                {
                    continue;
                }

                if (!_byId.TryGetValue(entry.PersistenceId, out var segments))
                {
                    _byId[entry.PersistenceId] = segments = new Queue<(long, long)>();
                }

                segments.Enqueue((segmentNr, entry.LastSequenceNr));
                live++;
            }

            if (live == 0)
            {
                return true;
            }

            _liveIds[segmentNr] = live;
            return false;
        }
    }

    /// <summary>Records that the id's events up to <paramref name="toSequenceNr"/> are deleted; adds segments left with nothing live to <paramref name="dead"/>.</summary>
    public void Delete(string persistenceId, long toSequenceNr, List<long> dead)
    {
        ArgumentNullException.ThrowIfNull(dead);
        lock (_lock)
        {
            if (toSequenceNr <= _deletedTo.GetValueOrDefault(persistenceId))
            {
                return;
            }

            _deletedTo[persistenceId] = toSequenceNr;
            if (!_byId.TryGetValue(persistenceId, out var segments))
            {
                return;
            }

            while (segments.TryPeek(out var oldest) && oldest.LastSequenceNr <= toSequenceNr)
            {
                segments.Dequeue();
                if (--_liveIds[oldest.SegmentNr] == 0)
                {
                    _liveIds.Remove(oldest.SegmentNr);
                    dead.Add(oldest.SegmentNr);
                }
            }

            if (segments.Count == 0)
            {
                _byId.Remove(persistenceId);
            }
        }
    }
}
