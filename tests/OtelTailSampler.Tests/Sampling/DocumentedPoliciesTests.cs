using System.Text.RegularExpressions;
using OtelTailSampler.Sampling;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed partial class DocumentedPoliciesTests
{
    public static TheoryData<string> Examples() => new(ExampleTexts());

    private static List<string> ExampleTexts()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !System.IO.File.Exists(Path.Combine(directory.FullName, "OtelTailSampler.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var text = System.IO.File.ReadAllText(Path.Combine(directory.FullName, "docs", "CONFIGURATION.md"));
        var section = text[text.IndexOf("## Sampling policies", StringComparison.Ordinal)..];
        return HoconBlock().Matches(section).Select(block => block.Groups[1].Value).ToList();
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Documented_example_binds_without_errors(string example)
    {
        var text = example.TrimStart().StartsWith("sampler.", StringComparison.Ordinal)
            ? example
            : $"sampler.sampling.policies = [\n{example}\n]";
        var sampling = SamplingSection(text);

        var options = PolicySetOptions.Bind(sampling);

        Assert.Empty(sampling.Errors);
        Assert.NotEmpty(options.Policies);
        Assert.NotSame(PolicySetOptions.Default, options);
    }

    [Fact]
    public void Documentation_has_an_example_of_every_type()
    {
        var types = ExampleTexts()
            .SelectMany(example => PolicySetOptions.Bind(SamplingSection(
                example.TrimStart().StartsWith("sampler.", StringComparison.Ordinal) ? example : $"sampler.sampling.policies = [\n{example}\n]")).Policies)
            .Select(policy => policy.Type)
            .ToHashSet();

        Assert.Equal(Enum.GetValues<PolicyType>().ToHashSet(), types);
    }

    [GeneratedRegex("```hocon\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex HoconBlock();
}
