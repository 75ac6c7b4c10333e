using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.Sampling;

/// <summary>
/// The span-level predicates of a policy set, each with its own bit, evaluated once per span (and once per
/// resource) as its bytes go by. Trace-level policies later only test bits.
/// </summary>
internal sealed class SpanPredicateTable
{
    private const int KeyValueKey = 1;
    private const int KeyValueValue = 2;

    private readonly AttributeKeyGroup[] _attributeKeys;
    private readonly TraceStatePredicate[] _traceState;
    private readonly TraceFlagsPredicate[] _traceFlags;

    public SpanPredicateTable(
        AttributeKeyGroup[] attributeKeys, TraceStatePredicate[] traceState, TraceFlagsPredicate[] traceFlags, int count)
    {
        _attributeKeys = attributeKeys;
        _traceState = traceState;
        _traceFlags = traceFlags;
        Count = count;
    }

    public int Count { get; }

    public bool ReadsAttributes => _attributeKeys.Length > 0;

    public bool ReadsTraceState => _traceState.Length > 0;

    /// <summary>Evaluates the attribute predicates on one encoded <c>KeyValue</c>.</summary>
    public ulong MatchAttribute(ReadOnlySpan<byte> keyValue)
    {
        ReadOnlySpan<byte> key = default;
        ReadOnlySpan<byte> value = default;
        var reader = new ProtoReader(keyValue);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == KeyValueKey && wireType == WireType.LengthDelimited)
            {
                key = reader.ReadLengthDelimited();
            }
            else if (field == KeyValueValue && wireType == WireType.LengthDelimited)
            {
                value = reader.ReadLengthDelimited();
            }
            else
            {
                reader.SkipField(field, wireType);
            }
        }

        foreach (var group in _attributeKeys)
        {
            if (key.SequenceEqual(group.Key))
            {
                return group.Match(AttributeValue.Read(value));
            }
        }

        return 0;
    }

    /// <summary>Evaluates the trace-state predicates on a W3C <c>tracestate</c> value (<c>k1=v1,k2=v2</c>).</summary>
    public ulong MatchTraceState(ReadOnlySpan<byte> traceState)
    {
        ulong bits = 0;
        while (!traceState.IsEmpty)
        {
            var comma = traceState.IndexOf((byte)',');
            var member = comma < 0 ? traceState : traceState[..comma];
            traceState = comma < 0 ? default : traceState[(comma + 1)..];

            // W3C allows optional spaces and tabs around each list member.
            member = member.Trim(" \t"u8);
            var equals = member.IndexOf((byte)'=');
            if (equals <= 0)
            {
                continue;
            }

            var key = member[..equals];
            var value = member[(equals + 1)..];
            foreach (var predicate in _traceState)
            {
                if (predicate.Matches(key, value))
                {
                    bits |= predicate.Mask;
                }
            }
        }

        return bits;
    }

    public ulong MatchFlags(uint flags)
    {
        ulong bits = 0;
        foreach (var predicate in _traceFlags)
        {
            if (predicate.Matches(flags))
            {
                bits |= predicate.Mask;
            }
        }

        return bits;
    }
}
