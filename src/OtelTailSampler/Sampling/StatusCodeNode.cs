namespace OtelTailSampler.Sampling;

internal sealed class StatusCodeNode(StatusCodesSeen wanted) : PolicyNode
{
    public override bool Evaluate(in DecisionContext context) => (context.Facts.StatusCodes & wanted) != 0;
}
