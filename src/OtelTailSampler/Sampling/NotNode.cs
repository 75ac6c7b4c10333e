namespace OtelTailSampler.Sampling;

/// <summary>
/// <c>not</c>: keeps what the child does not keep. The child keeps nothing then, so none of its budgets are
/// spent. Negating a probabilistic policy of p percent keeps 100 − p percent, whose adjusted count is
/// reported; other children count 1.
/// </summary>
internal sealed class NotNode(PolicyNode child) : PolicyNode
{
    public override bool IsStateful => child.IsStateful;

    public override bool Evaluate(in DecisionContext context) => !child.Evaluate(context);

    public override double Commit(in DecisionContext context) =>
        child is ProbabilisticNode probabilistic ? 100 / (100 - probabilistic.Percentage) : 1;
}
