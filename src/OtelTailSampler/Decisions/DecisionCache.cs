using OtelTailSampler.Sharding;

namespace OtelTailSampler.Decisions;

/// <summary>
/// Recent decisions, so that a span arriving after its trace was decided follows the decision. One cache
/// per trace shard (the shard's actor owns its traces, so no locks); each side forgets its oldest entry when full.
/// Dropped decisions, by far the most numerous, are kept as 64-bit fingerprints of the trace ID: a false
/// match would need two live trace IDs to collide in 64 bits.
/// </summary>
public sealed class DecisionCache
{
    private readonly Dictionary<TraceId, KeptDecision> _kept;
    private readonly TraceId[] _keptOrder;
    private readonly HashSet<ulong> _dropped;
    private readonly ulong[] _droppedOrder;
    private int _keptNext;
    private int _keptCount;
    private int _droppedNext;
    private int _droppedCount;

    public DecisionCache(DecisionCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.KeptSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DroppedSize, 1);

        // Sized up front so that steady state allocates nothing.
        _kept = new Dictionary<TraceId, KeptDecision>(options.KeptSize);
        _keptOrder = new TraceId[options.KeptSize];
        _dropped = new HashSet<ulong>(options.DroppedSize);
        _droppedOrder = new ulong[options.DroppedSize];
    }

    public int KeptCount => _keptCount;

    public int DroppedCount => _droppedCount;

    /// <summary>Entries forgotten to make room, both sides together.</summary>
    public long Evictions { get; private set; }

    /// <summary>
    /// Remembers that the trace was kept by the policy at <paramref name="policyIndex"/>, standing for
    /// <paramref name="adjustedCount"/> traces, so that its late spans carry the same attributes.
    /// </summary>
    public void RecordKept(TraceId traceId, int policyIndex, double adjustedCount = 1)
    {
        if (_kept.ContainsKey(traceId))
        {
            _kept[traceId] = new KeptDecision(policyIndex, adjustedCount);
            return;
        }

        if (_keptCount == _keptOrder.Length)
        {
            _kept.Remove(_keptOrder[_keptNext]);
            Evictions++;
        }
        else
        {
            _keptCount++;
        }

        _keptOrder[_keptNext] = traceId;
        _keptNext = (_keptNext + 1) % _keptOrder.Length;
        _kept[traceId] = new KeptDecision(policyIndex, adjustedCount);
    }

    public void RecordDropped(TraceId traceId)
    {
        var fingerprint = traceId.Hash64();
        if (!_dropped.Add(fingerprint))
        {
            return;
        }

        if (_droppedCount == _droppedOrder.Length)
        {
            _dropped.Remove(_droppedOrder[_droppedNext]);
            Evictions++;
        }
        else
        {
            _droppedCount++;
        }

        _droppedOrder[_droppedNext] = fingerprint;
        _droppedNext = (_droppedNext + 1) % _droppedOrder.Length;
    }

    public bool TryGetKept(TraceId traceId, out KeptDecision decision) => _kept.TryGetValue(traceId, out decision);

    public bool WasDropped(TraceId traceId) => _dropped.Contains(traceId.Hash64());
}
