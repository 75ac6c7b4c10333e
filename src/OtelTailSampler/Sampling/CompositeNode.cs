namespace OtelTailSampler.Sampling;

/// <summary>
/// <c>composite</c>, as the Collector's: sub-policies in order; the first that keeps the trace decides, and
/// keeps it only if its spans fit into that sub-policy's allocation for the current whole second (and the
/// total). Over budget means not kept: later sub-policies are not asked, so a catch-all at the end gets only
/// the traces the earlier ones did not want.
/// </summary>
internal sealed class CompositeNode : PolicyNode
{
    private readonly PolicyNode[] _children;
    private readonly double[] _allocated;
    private readonly double[] _used;
    private readonly double _maxTotal;
    private readonly long _timestampFrequency;
    private double _usedTotal;
    private long _second = long.MinValue;
    private int _chosen = -1;

    public CompositeNode(PolicyNode[] children, double[] spansPerSecond, double maxTotalSpansPerSecond, long timestampFrequency)
    {
        _children = children;
        _allocated = spansPerSecond;
        _used = new double[children.Length];
        _maxTotal = maxTotalSpansPerSecond;
        _timestampFrequency = timestampFrequency;
    }

    public override bool IsStateful => true;

    public override bool Evaluate(in DecisionContext context)
    {
        var second = context.Timestamp / _timestampFrequency;
        if (second != _second)
        {
            _second = second;
            _usedTotal = 0;
            Array.Clear(_used);
        }

        _chosen = -1;
        var spans = context.Facts.SpanCount;
        for (var i = 0; i < _children.Length; i++)
        {
            if (!_children[i].Evaluate(context))
            {
                continue;
            }

            if (_used[i] + spans <= _allocated[i] && _usedTotal + spans <= _maxTotal)
            {
                _chosen = i;
                return true;
            }

            return false;
        }

        return false;
    }

    public override double Commit(in DecisionContext context)
    {
        // Evaluate just chose the sub-policy; decisions are made one at a time (under the policy set's lock).
        var spans = context.Facts.SpanCount;
        _used[_chosen] += spans;
        _usedTotal += spans;
        return _children[_chosen].Commit(context);
    }
}
