using OtelTailSampler.Configuration;

namespace OtelTailSampler.Sampling;

/// <summary>
/// The ordered list of policies under <c>sampler.sampling.policies</c>, validated. Bind it once and
/// <see cref="PolicySet.Create"/> one set per node.
/// </summary>
public sealed record PolicySetOptions(IReadOnlyList<PolicyOptions> Policies)
{
    /// <summary>
    /// Used when no policies are configured: keep every trace with an error span, every trace of 1s or
    /// more, and 10% of the rest. All three are stateless, so the set scales with the cluster.
    /// </summary>
    public static PolicySetOptions Default { get; } = new([
        new StatusCodePolicyOptions("keep-errors", [SpanStatusCode.Error]),
        new LatencyPolicyOptions("keep-slow", TimeSpan.FromSeconds(1), UpperThreshold: null),
        new ProbabilisticPolicyOptions("sample-10-percent", 10, HashSalt: ""),
    ]);

    /// <summary>
    /// Reads <c>policies</c> from a <c>sampler.sampling</c> section. Every mistake is recorded in the
    /// reader's errors with its position; policies that could not be read are left out. An absent or empty
    /// list gives <see cref="Default"/> (configuration cannot tell an empty list from none).
    /// </summary>
    public static PolicySetOptions Bind(SettingsReader sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        var readers = sampling.GetList("policies");
        if (readers.Count == 0)
        {
            return Default;
        }

        var options = new PolicySetOptions(PolicyBinder.BindTopLevel(readers));
        var predicates = PolicyCompiler.CountPredicates(options.Policies);
        if (predicates > SpanPredicateTableBuilder.MaxPredicates)
        {
            sampling.AddError("policies",
                $"the policies test {predicates} distinct span conditions (attribute, trace-state and trace-flags tests) but at most {SpanPredicateTableBuilder.MaxPredicates} are supported");
        }

        return options;
    }
}
