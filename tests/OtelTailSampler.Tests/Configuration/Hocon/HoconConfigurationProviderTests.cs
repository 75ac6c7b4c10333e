using Microsoft.Extensions.Configuration;
using OtelTailSampler.Configuration.Hocon;

namespace OtelTailSampler.Tests.Configuration.Hocon;

public sealed class HoconConfigurationProviderTests
{
    private static IConfigurationRoot Build(string text) =>
        new ConfigurationBuilder().AddHocon(TestHocon.Load(text)).Build();

    [Fact]
    public void Values_are_served_under_colon_separated_keys()
    {
        var configuration = Build("""
            sampler {
              exporter.max-batch-size = 512
              policies = [ { name = errors }, { name = slow } ]
            }
            """);

        Assert.Equal("512", configuration["sampler:exporter:max-batch-size"]);
        Assert.Equal("512", configuration["Sampler:Exporter:Max-Batch-Size"]);
        Assert.Equal("slow", configuration["sampler:policies:1:name"]);
        Assert.Equal(["0", "1"], configuration.GetSection("sampler:policies").GetChildren().Select(child => child.Key));
    }

    [Fact]
    public void Later_configuration_sources_override_hocon_values()
    {
        var configuration = new ConfigurationBuilder()
            .AddHocon(TestHocon.Load("a = 1\nb = 2"))
            .AddInMemoryCollection([new KeyValuePair<string, string?>("a", "override")])
            .Build();

        Assert.Equal("override", configuration["a"]);
        Assert.Equal("2", configuration["b"]);
    }

    [Fact]
    public void Options_binding_reads_hocon_values()
    {
        var configuration = Build("retries = 3\nnames = [a, b]");

        var bound = configuration.Get<BoundSettings>();

        Assert.NotNull(bound);
        Assert.Equal(3, bound.Retries);
        Assert.Equal(["a", "b"], bound.Names);
    }

    private sealed class BoundSettings
    {
        public int Retries { get; set; }

        public List<string> Names { get; set; } = [];
    }
}
