using OtelTailSampler.Configuration;
using OtelTailSampler.Sampling;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class PolicyBindingTests
{
    private static (PolicySetOptions Options, IReadOnlyList<ConfigurationError> Errors) Bind(string text)
    {
        var sampling = SamplingSection(text);
        var options = PolicySetOptions.Bind(sampling);
        return (options, sampling.Errors);
    }

    [Fact]
    public void Unknown_type_is_reported_at_its_position_with_the_known_types()
    {
        var (options, errors) = Bind("""
            sampler.sampling.policies = [
              { name = ok, type = always-sample },
              { name = bad, type = sometimes-sample }
            ]
            """);

        var error = Assert.Single(errors);
        Assert.Equal("sampler.sampling.policies[1].type", error.Path);
        Assert.Equal(new SourcePosition(ConfigFile, 3, 24), error.Position);
        Assert.Contains("always-sample", error.Message, StringComparison.Ordinal);
        Assert.Contains("string-attribute", error.Message, StringComparison.Ordinal);
        Assert.Equal(["ok"], options.Policies.Select(policy => policy.Name));
    }

    [Fact]
    public void Missing_required_setting_is_reported_at_the_policy()
    {
        var (options, errors) = Bind("""
            sampler.sampling.policies = [
              { name = slow, type = latency }
            ]
            """);

        var error = Assert.Single(errors);
        Assert.Equal("sampler.sampling.policies[0].threshold", error.Path);
        Assert.Equal(2, error.Position!.Line);
        Assert.Contains("required", error.Message, StringComparison.Ordinal);
        Assert.Empty(options.Policies);
    }

    [Fact]
    public void Bad_regex_is_reported_at_the_value()
    {
        var (_, errors) = Bind("""
            sampler.sampling.policies = [
              { name = r, type = string-attribute, key = k, enabled-regex-matching = true,
                values = ["ok", "(unclosed"] }
            ]
            """);

        var error = Assert.Single(errors);
        Assert.Equal("sampler.sampling.policies[0].values[1]", error.Path);
        Assert.Equal(3, error.Position!.Line);
        Assert.StartsWith($"{ConfigFile}:3:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("(unclosed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regex_the_linear_engine_cannot_run_is_an_error()
    {
        var (_, errors) = Bind("""
            sampler.sampling.policies = [
              { name = r, type = string-attribute, key = k, enabled-regex-matching = true, values = ["(a)\\1"] }
            ]
            """);

        Assert.Equal("sampler.sampling.policies[0].values[0]", Assert.Single(errors).Path);
    }

    [Fact]
    public void Duplicate_policy_names_are_an_error()
    {
        var (_, errors) = Bind("""
            sampler.sampling.policies = [
              { name = same, type = always-sample },
              { name = same, type = always-sample }
            ]
            """);

        var error = Assert.Single(errors);
        Assert.Equal("sampler.sampling.policies[1].name", error.Path);
        Assert.Equal(3, error.Position!.Line);
    }

    [Fact]
    public void Unnamed_top_level_policy_is_an_error_but_nested_ones_need_no_name()
    {
        var (_, errors) = Bind("""
            sampler.sampling.policies = [
              { type = always-sample },
              { name = a, type = and, policies = [{ type = always-sample }] }
            ]
            """);

        Assert.Equal("sampler.sampling.policies[0].name", Assert.Single(errors).Path);
    }

    [Fact]
    public void Misspelt_setting_is_reported_as_unknown()
    {
        var (_, errors) = Bind("""
            sampler.sampling.policies = [
              { name = slow, type = latency, threshold = 1s, upper-treshold = 5s }
            ]
            """);

        var error = Assert.Single(errors);
        Assert.Equal("sampler.sampling.policies[0].upper-treshold", error.Path);
        Assert.Contains("upper-threshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_64_span_predicates_is_an_error()
    {
        var policies = string.Join(",\n", Enumerable.Range(0, 65).Select(i => $"{{ name = p{i}, type = string-attribute, key = k, values = [v{i}] }}"));

        var (_, errors) = Bind($"sampler.sampling.policies = [\n{policies}\n]");

        var error = Assert.Single(errors);
        Assert.Equal("sampler.sampling.policies", error.Path);
        Assert.Contains("65", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sixty_four_span_predicates_compile()
    {
        var policies = string.Join(",\n", Enumerable.Range(0, 64).Select(i => $"{{ name = p{i}, type = string-attribute, key = k, values = [v{i}] }}"));

        var set = Set(policies);

        Assert.Equal(64, set.PredicateCount);
        Assert.Equal("p63", Decide(set, WithAttributes(Str("k", "v63"))).PolicyName);
    }

    [Fact]
    public void Drop_below_the_top_level_is_an_error()
    {
        var (_, errors) = Bind("""
            sampler.sampling.policies = [
              { name = a, type = and, policies = [{ type = drop, policies = [{ type = always-sample }] }] }
            ]
            """);

        Assert.Equal("sampler.sampling.policies[0].policies[0].type", Assert.Single(errors).Path);
    }

    [Fact]
    public void Invalid_values_of_each_type_are_reported()
    {
        var (options, errors) = Bind("""
            sampler.sampling.policies = [
              { name = a, type = status-code, status-codes = [ERROR, FAILED] },
              { name = b, type = probabilistic, sampling-percentage = 150 },
              { name = c, type = probabilistic, sampling-percentage = 0 },
              { name = d, type = rate-limiting, spans-per-second = -1 },
              { name = e, type = numeric-attribute, key = n },
              { name = f, type = numeric-attribute, key = n, min-value = 5, max-value = 1 },
              { name = g, type = span-count, min-spans = 5, max-spans = 2 },
              { name = h, type = trace-flags, mask = 1, value = 2 },
              { name = i, type = latency, threshold = 2s, upper-threshold = 1s },
              { name = j, type = string-attribute, key = "", values = [] },
              { name = k, type = not },
              { name = l, type = bytes-limiting },
              { name = m, type = and, policies = [] }
            ]
            """);

        Assert.Equal(
            [
                "policies[0].status-codes[1]", "policies[1].sampling-percentage", "policies[2].sampling-percentage",
                "policies[3].spans-per-second", "policies[4].min-value", "policies[5].max-value", "policies[6].max-spans",
                "policies[7].value", "policies[8].upper-threshold", "policies[9].key", "policies[9].values", "policies[10].policy",
                "policies[11].bytes-per-second", "policies[12].policies",
            ],
            errors.Select(error => error.Path["sampler.sampling.".Length..]));
        Assert.All(errors, error => Assert.NotNull(error.Position));
        Assert.Empty(options.Policies);
    }

    [Fact]
    public void Composite_mistakes_are_reported()
    {
        var (_, errors) = Bind("""
            sampler.sampling.policies = [
              { name = c, type = composite, max-total-spans-per-second = 100,
                policy-order = [a, x],
                policies = [{ name = a, type = always-sample }, { name = b, type = always-sample }, { type = always-sample }],
                rate-allocation = [{ policy = a, percent = 80 }, { policy = b, percent = 30 }, { policy = z, percent = 1 }] }
            ]
            """);

        Assert.Equal(
            [
                "policies[0].policies[2].name", "policies[0].policy-order[1]", "policies[0].policy-order",
                "policies[0].rate-allocation[2].policy", "policies[0].rate-allocation",
            ],
            errors.Select(error => error.Path["sampler.sampling.".Length..]));
    }

    [Fact]
    public void Composite_with_no_rate_left_for_a_sub_policy_is_an_error()
    {
        var (_, errors) = Bind("""
            sampler.sampling.policies = [
              { name = c, type = composite, max-total-spans-per-second = 100,
                policies = [{ name = a, type = always-sample }, { name = b, type = always-sample }],
                rate-allocation = [{ policy = a, percent = 100 }] }
            ]
            """);

        var error = Assert.Single(errors);
        Assert.Contains("no rate is left for b", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Collector_spellings_of_types_are_accepted()
    {
        var (options, errors) = Bind("""
            sampler.sampling.policies = [
              { name = a, type = string_attribute, key = k, values = [v] },
              { name = b, type = always_sample }
            ]
            """);

        Assert.Empty(errors);
        Assert.Equal([PolicyType.StringAttribute, PolicyType.AlwaysSample], options.Policies.Select(policy => policy.Type));
    }

    [Fact]
    public void Absent_policies_bind_to_the_default_set()
    {
        var (options, errors) = Bind("sampler.sampling { }");

        Assert.Empty(errors);
        Assert.Same(PolicySetOptions.Default, options);
    }

    [Fact]
    public void Default_set_written_in_hocon_binds_to_the_built_in_default()
    {
        var (options, errors) = Bind("""
            sampler.sampling.policies = [
              { name = keep-errors, type = status-code, status-codes = [ERROR] },
              { name = keep-slow, type = latency, threshold = 1s },
              { name = sample-10-percent, type = probabilistic, sampling-percentage = 10 }
            ]
            """);

        Assert.Empty(errors);
        Assert.Equal(PolicySetOptions.Default.Policies.Count, options.Policies.Count);
        Assert.Equal(PolicySetOptions.Default.Policies[1], options.Policies[1]);
        Assert.Equal(PolicySetOptions.Default.Policies[2], options.Policies[2]);
        var status = Assert.IsType<StatusCodePolicyOptions>(options.Policies[0]);
        Assert.Equal([SpanStatusCode.Error], status.StatusCodes);
    }

    [Fact]
    public void Every_type_binds_with_its_settings()
    {
        var (options, errors) = Bind("""
            sampler.sampling.policies = [
              { name = a, type = always-sample },
              { name = b, type = latency, threshold = 500ms, upper-threshold = 5s },
              { name = c, type = status-code, status-codes = [ERROR, UNSET] },
              { name = d, type = string-attribute, key = k, values = [x, "y.*"], enabled-regex-matching = true, invert-match = true },
              { name = e, type = numeric-attribute, key = n, min-value = 1.5, max-value = 10 },
              { name = f, type = boolean-attribute, key = b, value = false, invert-match = yes },
              { name = g, type = probabilistic, sampling-percentage = 0.5, hash-salt = tier2 },
              { name = h, type = rate-limiting, spans-per-second = 100, burst-capacity = 150 },
              { name = i, type = bytes-limiting, bytes-per-second = 1MiB, burst-capacity = 4MiB },
              { name = j, type = span-count, min-spans = 2, max-spans = 20 },
              { name = k, type = trace-state, key = acme, values = [gold] },
              { name = l, type = trace-flags, mask = 769, value = 1 },
              { name = m, type = and, policies = [{ type = always-sample }, { name = inner, type = trace-flags }] },
              { name = n, type = not, policy = { type = span-count, min-spans = 1 } },
              { name = o, type = drop, policies = [{ type = boolean-attribute, key = app.do_not_sample, value = true }] },
              { name = p, type = composite, max-total-spans-per-second = 1000, policies = [{ name = x, type = always-sample }],
                rate-allocation = [{ policy = x, percent = 100 }] }
            ]
            """);

        Assert.Empty(errors);
        Assert.Equal(
            [
                new AlwaysSamplePolicyOptions("a"),
                new LatencyPolicyOptions("b", TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5)),
                new NumericAttributePolicyOptions("e", "n", 1.5, 10, false),
                new BooleanAttributePolicyOptions("f", "b", false, true),
                new ProbabilisticPolicyOptions("g", 0.5, "tier2"),
                new RateLimitingPolicyOptions("h", 100, 150),
                new BytesLimitingPolicyOptions("i", 1024 * 1024, 4 * 1024 * 1024),
                new SpanCountPolicyOptions("j", 2, 20),
                new TraceFlagsPolicyOptions("l", 769, 1),
            ],
            options.Policies.Where(policy => policy is not (StatusCodePolicyOptions or StringAttributePolicyOptions or TraceStatePolicyOptions
                or AndPolicyOptions or NotPolicyOptions or DropPolicyOptions or CompositePolicyOptions)));
        var text = Assert.IsType<StringAttributePolicyOptions>(options.Policies[3]);
        Assert.Equal(["x", "y.*"], text.Values);
        Assert.True(text.EnabledRegexMatching && text.InvertMatch);
        var composite = Assert.IsType<CompositePolicyOptions>(options.Policies[15]);
        Assert.Equal([100.0], composite.Percents);
        Assert.Equal(16, PolicySet.Create(options, 1, TimeProvider.System).PolicyNames.Count);
    }
}
