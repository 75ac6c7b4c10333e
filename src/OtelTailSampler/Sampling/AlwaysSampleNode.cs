namespace OtelTailSampler.Sampling;

internal sealed class AlwaysSampleNode : PolicyNode
{
    public override bool Evaluate(in DecisionContext context) => true;
}
