namespace OtelTailSampler.Sampling;

/// <summary>threshold ≤ duration ≤ upper threshold, both inclusive.</summary>
internal sealed class LatencyNode(TimeSpan threshold, TimeSpan? upperThreshold) : PolicyNode
{
    private const ulong NanosPerTick = 100;

    private readonly ulong _thresholdNanos = (ulong)threshold.Ticks * NanosPerTick;
    private readonly ulong _upperNanos = upperThreshold is { } upper ? (ulong)upper.Ticks * NanosPerTick : ulong.MaxValue;

    public override bool Evaluate(in DecisionContext context)
    {
        ref readonly var facts = ref context.Facts;
        if (facts.SpanCount == 0)
        {
            return false;
        }

        var duration = facts.DurationNanos;
        return duration >= _thresholdNanos && duration <= _upperNanos;
    }
}
