using System.Globalization;

namespace OtelTailSampler.Sampling;

/// <summary>
/// Gives each distinct span predicate a bit, sharing one bit between policies that test the same thing.
/// In counting mode it only numbers them, which is how configuration binding checks the limit of 64
/// without compiling regular expressions twice.
/// </summary>
internal sealed class SpanPredicateTableBuilder(bool countOnly = false)
{
    public const int MaxPredicates = 64;

    private readonly Dictionary<string, int> _bits = new(StringComparer.Ordinal);
    private readonly List<(string Key, AttributePredicate Predicate)> _attributes = [];
    private readonly List<TraceStatePredicate> _traceState = [];
    private readonly List<TraceFlagsPredicate> _traceFlags = [];

    /// <summary>Distinct predicates requested, possibly more than <see cref="MaxPredicates"/>.</summary>
    public int Count => _bits.Count;

    public int StringAttribute(string key, IReadOnlyList<string> values, bool regex) =>
        Add(Signature("string", key, regex ? "regex" : "exact", string.Join('\0', values)), mask =>
            _attributes.Add((key, regex ? new StringRegexPredicate(mask, values) : new StringExactPredicate(mask, values))));

    public int NumericAttribute(string key, double min, double max) =>
        Add(Signature("numeric", key, min.ToString("R", CultureInfo.InvariantCulture), max.ToString("R", CultureInfo.InvariantCulture)), mask =>
            _attributes.Add((key, new NumericRangePredicate(mask, min, max))));

    public int BooleanAttribute(string key, bool value) =>
        Add(Signature("boolean", key, value ? "true" : "false"), mask =>
            _attributes.Add((key, new BooleanPredicate(mask, value))));

    public int TraceState(string key, IReadOnlyList<string> values) =>
        Add(Signature("trace-state", key, string.Join('\0', values)), mask =>
            _traceState.Add(new TraceStatePredicate(mask, key, values)));

    public int TraceFlags(uint mask, uint value) =>
        Add(Signature("trace-flags", mask.ToString(CultureInfo.InvariantCulture), value.ToString(CultureInfo.InvariantCulture)), bit =>
            _traceFlags.Add(new TraceFlagsPredicate(bit, mask, value)));

    public SpanPredicateTable Build()
    {
        if (Count > MaxPredicates)
        {
            throw new InvalidOperationException($"A policy set may test at most {MaxPredicates} span predicates but this one tests {Count}.");
        }

        var groups = _attributes
            .GroupBy(entry => entry.Key, StringComparer.Ordinal)
            .Select(group => new AttributeKeyGroup(group.Key, group.Select(entry => entry.Predicate).ToArray()))
            .ToArray();
        return new SpanPredicateTable(groups, _traceState.ToArray(), _traceFlags.ToArray(), Count);
    }

    private static string Signature(params string[] parts) => string.Join('\u0001', parts);

    private int Add(string signature, Action<ulong> create)
    {
        if (_bits.TryGetValue(signature, out var bit))
        {
            return bit;
        }

        bit = _bits.Count;
        _bits.Add(signature, bit);
        if (!countOnly && bit < MaxPredicates)
        {
            create(1UL << bit);
        }

        return bit;
    }
}
