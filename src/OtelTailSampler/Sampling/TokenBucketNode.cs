namespace OtelTailSampler.Sampling;

/// <summary><c>rate-limiting</c> (tokens are spans) and <c>bytes-limiting</c> (tokens are bytes).</summary>
internal sealed class TokenBucketNode(TokenBucket bucket, bool measureBytes) : PolicyNode
{
    public override bool IsStateful => true;

    public override bool Evaluate(in DecisionContext context) => bucket.CanTake(Measure(context), context.Timestamp);

    public override double Commit(in DecisionContext context)
    {
        bucket.Take(Measure(context));
        return 1;
    }

    private double Measure(in DecisionContext context) => measureBytes ? context.Facts.Bytes : context.Facts.SpanCount;
}
