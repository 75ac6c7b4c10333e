namespace OtelTailSampler.Sampling;

internal sealed class SpanCountNode(int minSpans, int? maxSpans) : PolicyNode
{
    private readonly int _max = maxSpans ?? int.MaxValue;

    public override bool Evaluate(in DecisionContext context)
    {
        var count = context.Facts.SpanCount;
        return count >= minSpans && count <= _max;
    }
}
