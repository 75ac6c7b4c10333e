using System.Text.RegularExpressions;
using OtelTailSampler.Configuration;

namespace OtelTailSampler.Sampling;

/// <summary>
/// Reads policy options from configuration: one object per policy, <c>{ name, type, ...settings of the type }</c>,
/// with kebab-case keys. Each mistake is recorded with its position, and a policy with any mistake is left out,
/// so compiling never sees an invalid policy.
/// </summary>
internal static class PolicyBinder
{
    private const string NameKey = "name";
    private const string TypeKey = "type";
    private const string PoliciesKey = "policies";

    private const PolicyType NoType = (PolicyType)(-1);

    private enum Placement
    {
        TopLevel,
        CompositeMember,
        Nested,
    }

    public static IReadOnlyList<PolicyOptions> BindTopLevel(IReadOnlyList<SettingsReader> readers)
    {
        List<PolicyOptions> policies = [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reader in readers)
        {
            var policy = Bind(reader, Placement.TopLevel);
            var name = reader.GetString(NameKey, "");
            if (name.Length > 0 && !names.Add(name))
            {
                reader.AddError(NameKey, $"another policy is already named '{name}'; names must be unique");
                continue;
            }

            if (policy is not null)
            {
                policies.Add(policy);
            }
        }

        return policies;
    }

    private static PolicyOptions? Bind(SettingsReader reader, Placement placement)
    {
        var errorsBefore = reader.Errors.Count;
        var name = reader.GetString(NameKey, "");
        if (placement != Placement.Nested && string.IsNullOrWhiteSpace(name))
        {
            reader.AddError(NameKey, placement == Placement.TopLevel
                ? "every policy needs a name (reported as the policy that kept a trace)"
                : "every sub-policy of a composite needs a name (policy-order and rate-allocation refer to it)");
        }

        if (!reader.Has(TypeKey))
        {
            reader.AddError(TypeKey, $"every policy needs a type, one of {TypeNames}");
            return null;
        }

        var type = reader.GetEnum(TypeKey, NoType);
        PolicyOptions? policy = type switch
        {
            NoType => null,
            PolicyType.AlwaysSample => AlwaysSample(reader, name),
            PolicyType.Latency => Latency(reader, name),
            PolicyType.StatusCode => StatusCode(reader, name),
            PolicyType.StringAttribute => StringAttribute(reader, name),
            PolicyType.NumericAttribute => NumericAttribute(reader, name),
            PolicyType.BooleanAttribute => BooleanAttribute(reader, name),
            PolicyType.Probabilistic => Probabilistic(reader, name),
            PolicyType.RateLimiting => RateLimiting(reader, name),
            PolicyType.BytesLimiting => BytesLimiting(reader, name),
            PolicyType.SpanCount => SpanCount(reader, name),
            PolicyType.TraceState => TraceState(reader, name),
            PolicyType.TraceFlags => TraceFlags(reader, name),
            PolicyType.And => And(reader, name),
            PolicyType.Not => Not(reader, name),
            PolicyType.Drop => Drop(reader, name, placement),
            PolicyType.Composite => Composite(reader, name),
            _ => null,
        };

        return reader.Errors.Count == errorsBefore ? policy : null;
    }

    private static string TypeNames => "always-sample, latency, status-code, string-attribute, numeric-attribute, boolean-attribute, "
        + "probabilistic, rate-limiting, bytes-limiting, span-count, trace-state, trace-flags, and, not, drop, composite";

    private static AlwaysSamplePolicyOptions AlwaysSample(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey);
        return new AlwaysSamplePolicyOptions(name);
    }

    private static LatencyPolicyOptions Latency(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "threshold", "upper-threshold");
        var threshold = Require(reader, "threshold") ? reader.GetDuration("threshold", TimeSpan.Zero) : TimeSpan.Zero;
        TimeSpan? upper = reader.Has("upper-threshold") ? reader.GetDuration("upper-threshold", TimeSpan.MaxValue) : null;
        if (upper < threshold)
        {
            reader.AddError("upper-threshold", $"must not be less than threshold ({threshold})");
        }

        return new LatencyPolicyOptions(name, threshold, upper);
    }

    private static StatusCodePolicyOptions StatusCode(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "status-codes");
        var texts = RequireList(reader, "status-codes");
        List<SpanStatusCode> codes = [];
        for (var i = 0; i < texts.Count; i++)
        {
            switch (texts[i].Trim().ToUpperInvariant())
            {
                case "ERROR":
                    codes.Add(SpanStatusCode.Error);
                    break;
                case "OK":
                    codes.Add(SpanStatusCode.Ok);
                    break;
                case "UNSET":
                    codes.Add(SpanStatusCode.Unset);
                    break;
                default:
                    reader.AddError($"status-codes.{i}", $"expected ERROR, OK or UNSET but found '{texts[i]}'");
                    break;
            }
        }

        return new StatusCodePolicyOptions(name, codes);
    }

    private static StringAttributePolicyOptions StringAttribute(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "key", "values", "enabled-regex-matching", "invert-match");
        var key = RequireText(reader, "key");
        var values = RequireList(reader, "values");
        var regex = reader.GetBool("enabled-regex-matching", false);
        var invert = reader.GetBool("invert-match", false);
        if (regex)
        {
            for (var i = 0; i < values.Count; i++)
            {
                if (RegexProblem(values[i]) is { } problem)
                {
                    reader.AddError($"values.{i}", $"'{values[i]}' is not a regular expression this sampler runs: {problem}");
                }
            }
        }

        return new StringAttributePolicyOptions(name, key, values, regex, invert);
    }

    private static NumericAttributePolicyOptions NumericAttribute(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "key", "min-value", "max-value", "invert-match");
        var key = RequireText(reader, "key");
        double? min = reader.Has("min-value") ? reader.GetDouble("min-value", 0) : null;
        double? max = reader.Has("max-value") ? reader.GetDouble("max-value", 0) : null;
        if (min is null && max is null)
        {
            reader.AddError("min-value", "set min-value, max-value or both (a missing bound is unbounded)");
        }
        else if (min > max)
        {
            reader.AddError("max-value", $"must not be less than min-value ({min})");
        }

        return new NumericAttributePolicyOptions(name, key, min, max, reader.GetBool("invert-match", false));
    }

    private static BooleanAttributePolicyOptions BooleanAttribute(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "key", "value", "invert-match");
        var key = RequireText(reader, "key");
        var value = Require(reader, "value") && reader.GetBool("value", false);
        return new BooleanAttributePolicyOptions(name, key, value, reader.GetBool("invert-match", false));
    }

    private static ProbabilisticPolicyOptions Probabilistic(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "sampling-percentage", "hash-salt");
        var percentage = RequirePositive(reader, "sampling-percentage", max: 100);
        return new ProbabilisticPolicyOptions(name, percentage, reader.GetString("hash-salt", ""));
    }

    private static RateLimitingPolicyOptions RateLimiting(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "spans-per-second", "burst-capacity");
        var rate = RequirePositive(reader, "spans-per-second");
        var burst = reader.Has("burst-capacity") ? RequirePositive(reader, "burst-capacity") : 2 * rate;
        return new RateLimitingPolicyOptions(name, rate, burst);
    }

    private static BytesLimitingPolicyOptions BytesLimiting(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "bytes-per-second", "burst-capacity");
        var rate = Require(reader, "bytes-per-second") ? PositiveSize(reader, "bytes-per-second") : 0;
        var burst = reader.Has("burst-capacity") ? PositiveSize(reader, "burst-capacity") : 2 * rate;
        return new BytesLimitingPolicyOptions(name, rate, burst);
    }

    private static SpanCountPolicyOptions SpanCount(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "min-spans", "max-spans");
        var min = reader.GetInt("min-spans", 0, min: 0);
        var max = reader.GetInt("max-spans", 0, min: 0);
        if (!reader.Has("min-spans") && !reader.Has("max-spans"))
        {
            reader.AddError("min-spans", "set min-spans, max-spans or both");
        }
        else if (max != 0 && max < min)
        {
            reader.AddError("max-spans", $"must not be less than min-spans ({min}); 0 means no upper bound");
        }

        // 0 is "no upper bound", as the Collector's max_spans.
        return new SpanCountPolicyOptions(name, min, max == 0 ? null : max);
    }

    private static TraceStatePolicyOptions TraceState(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "key", "values");
        return new TraceStatePolicyOptions(name, RequireText(reader, "key"), RequireList(reader, "values"));
    }

    private static TraceFlagsPolicyOptions TraceFlags(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "mask", "value");
        var mask = reader.GetInt("mask", 1, min: 1);
        var value = reader.GetInt("value", mask, min: 0);
        if ((value & ~mask) != 0)
        {
            reader.AddError("value", $"has bits outside mask {mask}, so no span could match");
        }

        return new TraceFlagsPolicyOptions(name, (uint)mask, (uint)value);
    }

    private static AndPolicyOptions And(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, PoliciesKey);
        return new AndPolicyOptions(name, SubPolicies(reader, Placement.Nested));
    }

    private static NotPolicyOptions? Not(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "policy");
        if (!reader.Has("policy"))
        {
            reader.AddError("policy", "not needs the policy to negate: policy = { type = ..., ... }");
            return null;
        }

        var policy = Bind(reader.Section("policy"), Placement.Nested);
        return policy is null ? null : new NotPolicyOptions(name, policy);
    }

    private static DropPolicyOptions? Drop(SettingsReader reader, string name, Placement placement)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, PoliciesKey);
        if (placement != Placement.TopLevel)
        {
            reader.AddError(TypeKey, "drop is only allowed in the top-level list of policies; inside, use not");
            return null;
        }

        return new DropPolicyOptions(name, SubPolicies(reader, Placement.Nested));
    }

    private static CompositePolicyOptions? Composite(SettingsReader reader, string name)
    {
        reader.ReportUnknownKeys(NameKey, TypeKey, "max-total-spans-per-second", PoliciesKey, "policy-order", "rate-allocation");
        var maxTotal = RequirePositive(reader, "max-total-spans-per-second");
        var errorsBefore = reader.Errors.Count;

        var subReaders = reader.GetList(PoliciesKey);
        if (subReaders.Count == 0)
        {
            reader.AddError(PoliciesKey, "composite needs at least one sub-policy");
            return null;
        }

        var byName = new Dictionary<string, PolicyOptions?>(StringComparer.Ordinal);
        List<string> declared = [];
        foreach (var subReader in subReaders)
        {
            var policy = Bind(subReader, Placement.CompositeMember);
            var subName = subReader.GetString(NameKey, "");
            if (subName.Length > 0 && !byName.TryAdd(subName, policy))
            {
                subReader.AddError(NameKey, $"another sub-policy of this composite is already named '{subName}'");
            }
            else if (subName.Length > 0)
            {
                declared.Add(subName);
            }
        }

        var order = PolicyOrder(reader, byName, declared);
        var percents = RateAllocation(reader, byName, order);
        if (reader.Errors.Count != errorsBefore)
        {
            return null;
        }

        return new CompositePolicyOptions(name, maxTotal, order.Select(subName => byName[subName]!).ToArray(), percents);
    }

    private static List<string> PolicyOrder(SettingsReader reader, Dictionary<string, PolicyOptions?> byName, List<string> declared)
    {
        if (!reader.Has("policy-order"))
        {
            return declared;
        }

        var order = reader.GetStringList("policy-order");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < order.Count; i++)
        {
            if (!byName.ContainsKey(order[i]))
            {
                reader.AddError($"policy-order.{i}", $"'{order[i]}' is not a sub-policy of this composite; expected one of {string.Join(", ", declared)}");
            }
            else if (!seen.Add(order[i]))
            {
                reader.AddError($"policy-order.{i}", $"'{order[i]}' is listed twice");
            }
        }

        var missing = declared.Where(subName => !seen.Contains(subName)).ToList();
        if (missing.Count > 0)
        {
            reader.AddError("policy-order", $"when given, policy-order must list every sub-policy; missing {string.Join(", ", missing)}");
        }

        return order.Where(byName.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
    }

    private static double[] RateAllocation(SettingsReader reader, Dictionary<string, PolicyOptions?> byName, List<string> order)
    {
        var allocated = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var entry in reader.GetList("rate-allocation"))
        {
            entry.ReportUnknownKeys("policy", "percent");
            var policy = RequireText(entry, "policy");
            var percent = RequirePositive(entry, "percent", max: 100);
            if (policy.Length == 0)
            {
                continue;
            }

            if (!byName.ContainsKey(policy))
            {
                entry.AddError("policy", $"'{policy}' is not a sub-policy of this composite");
            }
            else if (!allocated.TryAdd(policy, percent))
            {
                entry.AddError("policy", $"'{policy}' already has a rate allocation");
            }
        }

        // Sub-policies without an allocation share what is left equally (the Collector's README promises
        // this for a trailing always-sample, though its code gives them nothing).
        var total = allocated.Values.Sum();
        if (total > 100 + 1e-9)
        {
            reader.AddError("rate-allocation", $"the percents add up to {total}, more than 100");
        }

        var unallocated = order.Where(subName => !allocated.ContainsKey(subName)).ToList();
        var remainder = Math.Max(0, 100 - total);
        if (unallocated.Count > 0 && remainder <= 1e-9)
        {
            reader.AddError("rate-allocation", $"no rate is left for {string.Join(", ", unallocated)}, so they could never keep a trace");
        }

        return order.Select(subName => allocated.TryGetValue(subName, out var percent) ? percent : remainder / unallocated.Count).ToArray();
    }

    private static List<PolicyOptions> SubPolicies(SettingsReader reader, Placement placement)
    {
        var readers = reader.GetList(PoliciesKey);
        if (readers.Count == 0)
        {
            reader.AddError(PoliciesKey, "needs a list of at least one policy: policies = [{ type = ..., ... }]");
        }

        List<PolicyOptions> policies = [];
        foreach (var subReader in readers)
        {
            if (Bind(subReader, placement) is { } policy)
            {
                policies.Add(policy);
            }
        }

        return policies;
    }

    private static string? RegexProblem(string pattern)
    {
        try
        {
            _ = new Regex(pattern, StringRegexPredicate.Options);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        catch (NotSupportedException e)
        {
            // The linear-time engine has no backreferences or lookarounds (neither has the Collector's RE2).
            return e.Message;
        }
    }

    private static bool Require(SettingsReader reader, string key)
    {
        if (reader.Has(key))
        {
            return true;
        }

        reader.AddError(key, "required setting is missing");
        return false;
    }

    private static string RequireText(SettingsReader reader, string key)
    {
        if (!Require(reader, key))
        {
            return "";
        }

        var text = reader.GetString(key, "");
        if (text.Length == 0 && reader.Has(key))
        {
            reader.AddError(key, "must not be empty");
        }

        return text;
    }

    private static IReadOnlyList<string> RequireList(SettingsReader reader, string key)
    {
        if (!Require(reader, key))
        {
            return [];
        }

        var errorsBefore = reader.Errors.Count;
        var list = reader.GetStringList(key);
        if (list.Count == 0 && reader.Errors.Count == errorsBefore)
        {
            reader.AddError(key, "needs at least one value");
        }

        return list;
    }

    private static double RequirePositive(SettingsReader reader, string key, double max = double.MaxValue)
    {
        if (!Require(reader, key))
        {
            return 0;
        }

        var errorsBefore = reader.Errors.Count;
        var value = reader.GetDouble(key, 0, min: double.MinValue, max: max);
        if (value <= 0 && reader.Errors.Count == errorsBefore)
        {
            reader.AddError(key, $"must be greater than 0 but is {value}");
        }

        return value;
    }

    private static double PositiveSize(SettingsReader reader, string key)
    {
        var errorsBefore = reader.Errors.Count;
        var value = reader.GetSize(key, 0);
        if (value <= 0 && reader.Errors.Count == errorsBefore)
        {
            reader.AddError(key, "must be greater than 0");
        }

        return value;
    }
}
