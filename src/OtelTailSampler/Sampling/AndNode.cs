namespace OtelTailSampler.Sampling;

/// <summary><c>and</c>, and the match of a <c>drop</c> policy: every child keeps.</summary>
internal sealed class AndNode : PolicyNode
{
    private readonly PolicyNode[] _children;
    private readonly double _probabilisticCount;

    public AndNode(PolicyNode[] children)
    {
        _children = children;

        // Probabilistic children with different salts are independent, so their counts multiply; with the
        // same salt they hash alike and the smallest percentage alone decides, so only the largest count counts.
        _probabilisticCount = children.OfType<ProbabilisticNode>()
            .GroupBy(child => child.Salt, StringComparer.Ordinal)
            .Aggregate(1.0, (product, group) => product * group.Max(child => child.AdjustedCount));
    }

    public override bool IsStateful => _children.Any(child => child.IsStateful);

    public override bool Evaluate(in DecisionContext context)
    {
        foreach (var child in _children)
        {
            if (!child.Evaluate(context))
            {
                return false;
            }
        }

        return true;
    }

    public override double Commit(in DecisionContext context)
    {
        var count = _probabilisticCount;
        foreach (var child in _children)
        {
            if (child is not ProbabilisticNode)
            {
                count *= child.Commit(context);
            }
        }

        return count;
    }
}
