namespace OtelTailSampler.Sampling;

/// <summary>Turns validated policy options into span predicates and decision nodes for one node's policy set.</summary>
internal sealed class PolicyCompiler(SpanPredicateTableBuilder predicates, double shareOfRate, TimeProvider timeProvider)
{
    /// <summary>How many distinct span predicates the policies need; more than 64 cannot be compiled.</summary>
    public static int CountPredicates(IEnumerable<PolicyOptions> policies)
    {
        var builder = new SpanPredicateTableBuilder(countOnly: true);
        var compiler = new PolicyCompiler(builder, 1, TimeProvider.System);
        foreach (var policy in policies)
        {
            compiler.Compile(policy);
        }

        return builder.Count;
    }

    public PolicyNode Compile(PolicyOptions options) => options switch
    {
        AlwaysSamplePolicyOptions => new AlwaysSampleNode(),
        LatencyPolicyOptions latency => new LatencyNode(latency.Threshold, latency.UpperThreshold),
        StatusCodePolicyOptions status => new StatusCodeNode(StatusMask(status.StatusCodes)),
        StringAttributePolicyOptions text => new PredicateNode(
            predicates.StringAttribute(text.Key, text.Values, text.EnabledRegexMatching), text.InvertMatch),
        NumericAttributePolicyOptions numeric => new PredicateNode(
            predicates.NumericAttribute(numeric.Key, numeric.MinValue ?? double.NegativeInfinity, numeric.MaxValue ?? double.PositiveInfinity),
            numeric.InvertMatch),
        BooleanAttributePolicyOptions boolean => new PredicateNode(
            predicates.BooleanAttribute(boolean.Key, boolean.Value), boolean.InvertMatch),
        TraceStatePolicyOptions traceState => new PredicateNode(predicates.TraceState(traceState.Key, traceState.Values), invert: false),
        TraceFlagsPolicyOptions traceFlags => new PredicateNode(predicates.TraceFlags(traceFlags.Mask, traceFlags.Value), invert: false),
        ProbabilisticPolicyOptions probabilistic => new ProbabilisticNode(probabilistic.SamplingPercentage, probabilistic.HashSalt),
        RateLimitingPolicyOptions rate => new TokenBucketNode(
            new TokenBucket(rate.SpansPerSecond * shareOfRate, rate.BurstCapacity * shareOfRate, timeProvider.TimestampFrequency),
            measureBytes: false),
        BytesLimitingPolicyOptions bytes => new TokenBucketNode(
            new TokenBucket(bytes.BytesPerSecond * shareOfRate, bytes.BurstCapacity * shareOfRate, timeProvider.TimestampFrequency),
            measureBytes: true),
        SpanCountPolicyOptions spanCount => new SpanCountNode(spanCount.MinSpans, spanCount.MaxSpans),
        AndPolicyOptions and => new AndNode(and.Policies.Select(Compile).ToArray()),
        DropPolicyOptions drop => new AndNode(drop.Policies.Select(Compile).ToArray()),
        NotPolicyOptions not => new NotNode(Compile(not.Policy)),
        CompositePolicyOptions composite => new CompositeNode(
            composite.Policies.Select(Compile).ToArray(),
            composite.Percents.Select(percent => composite.MaxTotalSpansPerSecond * shareOfRate * percent / 100).ToArray(),
            composite.MaxTotalSpansPerSecond * shareOfRate,
            timeProvider.TimestampFrequency),
        _ => throw new ArgumentException($"Unknown policy options {options.GetType().Name}.", nameof(options)),
    };

    private static StatusCodesSeen StatusMask(IEnumerable<SpanStatusCode> codes) =>
        codes.Aggregate(StatusCodesSeen.None, (mask, code) => mask | code switch
        {
            SpanStatusCode.Unset => StatusCodesSeen.Unset,
            SpanStatusCode.Ok => StatusCodesSeen.Ok,
            SpanStatusCode.Error => StatusCodesSeen.Error,
            _ => StatusCodesSeen.None,
        });
}
