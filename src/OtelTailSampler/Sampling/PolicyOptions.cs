namespace OtelTailSampler.Sampling;

/// <summary>
/// One configured policy. The records are the validated configuration; <see cref="PolicySet.Create"/>
/// compiles them into span predicates and decision logic, once per node.
/// </summary>
/// <param name="Name">The configured name; reported as the policy that kept a trace. Empty for unnamed sub-policies.</param>
public abstract record PolicyOptions(string Name)
{
    public abstract PolicyType Type { get; }
}
