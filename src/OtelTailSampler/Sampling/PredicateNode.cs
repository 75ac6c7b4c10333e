namespace OtelTailSampler.Sampling;

/// <summary>
/// A policy made of one span predicate: keeps when some span (or resource) matched it, or, inverted, when
/// none did. Inversion is decided per trace, not per span, which is what makes "no span has key=value" true
/// for traces that lack the key altogether.
/// </summary>
internal sealed class PredicateNode(int bit, bool invert) : PolicyNode
{
    private readonly ulong _mask = 1UL << bit;

    public override bool Evaluate(in DecisionContext context) => ((context.Facts.PredicateBits & _mask) != 0) != invert;
}
