namespace OtelTailSampler.Sampling;

/// <summary>
/// Everything the policies need to know about a trace, updated span by span by
/// <see cref="PolicySet.ObserveSpan"/>. Spans themselves stay as bytes in the buffer, so this small struct
/// (at most 64 bytes) is the whole per-trace state a decision reads. <c>default</c> is an empty trace.
/// </summary>
public struct TraceFacts
{
    private long _bytes;
    private ulong _minStartUnixNano;
    private ulong _maxEndUnixNano;
    private ulong _predicateBits;
    private int _spanCount;
    private uint _spanFlags;
    private StatusCodesSeen _statusCodes;
    private bool _rootSeen;

    /// <summary>Spans observed.</summary>
    public readonly int SpanCount => _spanCount;

    /// <summary>Encoded size of the observed spans, the measure of <c>bytes-limiting</c>.</summary>
    public readonly long Bytes => _bytes;

    /// <summary>Earliest non-zero span start; 0 when no span had one.</summary>
    public readonly ulong MinStartUnixNano => _minStartUnixNano;

    /// <summary>Latest non-zero span end; 0 when no span had one.</summary>
    public readonly ulong MaxEndUnixNano => _maxEndUnixNano;

    /// <summary>
    /// Latest end minus earliest start, what <c>latency</c> compares; 0 when either is unknown or the
    /// end comes before the start.
    /// </summary>
    public readonly ulong DurationNanos =>
        _minStartUnixNano == 0 || _maxEndUnixNano <= _minStartUnixNano ? 0 : _maxEndUnixNano - _minStartUnixNano;

    public readonly StatusCodesSeen StatusCodes => _statusCodes;

    /// <summary>A span without a parent was observed.</summary>
    public readonly bool RootSeen => _rootSeen;

    /// <summary>All observed spans' <c>flags</c> OR-ed together.</summary>
    public readonly uint SpanFlags => _spanFlags;

    /// <summary>Some span carried the W3C sampled flag (0x01).</summary>
    public readonly bool SampledFlagSeen => (_spanFlags & 0x01) != 0;

    /// <summary>Bit i: span predicate i matched some span of the trace or the resource of one.</summary>
    public readonly ulong PredicateBits => _predicateBits;

    /// <summary>Adds the result of <see cref="PolicySet.ObserveResource"/> for a resource this trace has spans from.</summary>
    public void AddPredicateBits(ulong bits) => _predicateBits |= bits;

    internal void AddSpan(int encodedLength, in SpanInfo span, ulong predicateBits)
    {
        _spanCount++;
        _bytes += encodedLength;
        _predicateBits |= predicateBits;
        _spanFlags |= span.Flags;
        _rootSeen |= span.IsRoot;
        _statusCodes |= span.StatusCode switch
        {
            SpanStatusCode.Unset => StatusCodesSeen.Unset,
            SpanStatusCode.Ok => StatusCodesSeen.Ok,
            SpanStatusCode.Error => StatusCodesSeen.Error,
            _ => StatusCodesSeen.None,
        };

        // A zero timestamp means "not set"; counting it would stretch the trace back to 1970.
        if (span.StartUnixNano != 0 && (_minStartUnixNano == 0 || span.StartUnixNano < _minStartUnixNano))
        {
            _minStartUnixNano = span.StartUnixNano;
        }

        if (span.EndUnixNano > _maxEndUnixNano)
        {
            _maxEndUnixNano = span.EndUnixNano;
        }
    }
}
