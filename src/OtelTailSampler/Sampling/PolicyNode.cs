namespace OtelTailSampler.Sampling;

/// <summary>
/// A compiled policy. A decision asks <see cref="Evaluate"/> first, which changes no budget, and calls
/// <see cref="Commit"/> only on the policies that made a trace kept (or dropped), so rate budgets are spent
/// only on traces a policy actually keeps.
/// </summary>
internal abstract class PolicyNode
{
    /// <summary>Whether the policy keeps (for a drop policy: matches) the trace.</summary>
    public abstract bool Evaluate(in DecisionContext context);

    /// <summary>Spends budgets after <see cref="Evaluate"/> returned true; returns the adjusted count.</summary>
    public virtual double Commit(in DecisionContext context) => 1;

    /// <summary>Keeps state between decisions (token buckets, windows), so it reads the clock.</summary>
    public virtual bool IsStateful => false;
}
