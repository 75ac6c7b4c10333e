using OtelTailSampler.Configuration.Hocon;

namespace OtelTailSampler.Tests.Configuration.Hocon;

public sealed class HoconLayeringTests
{
    private const string Defaults = """
        sampler {
          endpoint = "http://localhost:4317"
          endpoint = ${?SAMPLER_ENDPOINT}
          exporter { timeout = 10s, retries = 3 }
          policies = [
            { name = errors }
            { name = slow }
          ]
          headers { a = 1 }
        }
        """;

    private static HoconDocument Load(string user, Dictionary<string, string>? environment = null) =>
        HoconDocument.Load(
            [new HoconSource(Defaults, "default.conf"), new HoconSource(user, "user.conf")],
            TestHocon.Environment(environment));

    [Fact]
    public void User_file_overrides_a_default_and_keeps_the_other_defaults()
    {
        var document = Load("sampler.exporter.timeout = 2s");

        Assert.Equal("2s", document.Values["sampler:exporter:timeout"]);
        Assert.Equal("3", document.Values["sampler:exporter:retries"]);
        Assert.Equal(new("user.conf", 1, 28), document.PositionOf("sampler:exporter:timeout"));
        Assert.Equal(new("default.conf", 4, 39), document.PositionOf("sampler:exporter:retries"));
    }

    [Fact]
    public void User_array_replaces_the_default_array_wholesale()
    {
        var document = Load("sampler.policies = [ { name = only } ]");

        Assert.Equal("only", document.Values["sampler:policies:0:name"]);
        Assert.False(document.Values.ContainsKey("sampler:policies:1:name"));
    }

    [Fact]
    public void User_file_can_append_to_a_default_array()
    {
        var document = Load("sampler.policies += { name = mine }");

        Assert.Equal("errors", document.Values["sampler:policies:0:name"]);
        Assert.Equal("slow", document.Values["sampler:policies:1:name"]);
        Assert.Equal("mine", document.Values["sampler:policies:2:name"]);
    }

    [Fact]
    public void User_substitution_refers_to_default_values()
    {
        var document = Load("sampler.backup-timeout = ${sampler.exporter.timeout}");

        Assert.Equal("10s", document.Values["sampler:backup-timeout"]);
    }

    [Fact]
    public void Default_substitution_sees_the_user_override()
    {
        var document = HoconDocument.Load(
            [new HoconSource("a = 1\nb = ${a}", "default.conf"), new HoconSource("a = 2", "user.conf")],
            _ => null);

        Assert.Equal("2", document.Values["b"]);
    }

    [Fact]
    public void Environment_overrides_the_default_when_set()
    {
        var document = Load("", new Dictionary<string, string> { ["SAMPLER_ENDPOINT"] = "http://prod:4317" });

        Assert.Equal("http://prod:4317", document.Values["sampler:endpoint"]);
    }

    [Fact]
    public void Default_stays_when_the_environment_variable_is_unset()
    {
        var document = Load("");

        Assert.Equal("http://localhost:4317", document.Values["sampler:endpoint"]);
    }

    [Fact]
    public void User_value_wins_over_the_environment_backed_default()
    {
        var document = Load("sampler.endpoint = \"http://user:4317\"",
            new Dictionary<string, string> { ["SAMPLER_ENDPOINT"] = "http://prod:4317" });

        Assert.Equal("http://user:4317", document.Values["sampler:endpoint"]);
    }

    [Fact]
    public void User_objects_merge_deeply_into_default_objects()
    {
        var document = Load("sampler.headers { b = 2 }");

        Assert.Equal("1", document.Values["sampler:headers:a"]);
        Assert.Equal("2", document.Values["sampler:headers:b"]);
    }

    [Fact]
    public void User_null_replaces_a_default_object()
    {
        var document = Load("sampler.headers = null");

        Assert.False(document.Values.ContainsKey("sampler:headers:a"));
        Assert.True(document.Values.ContainsKey("sampler:headers"));
        Assert.Null(document.Values["sampler:headers"]);
    }

    [Fact]
    public void Embedded_default_configuration_loads()
    {
        using var stream = typeof(HoconDocument).Assembly.GetManifestResourceStream("OtelTailSampler.sampler.conf");
        Assert.NotNull(stream);
        using var reader = new StreamReader(stream);

        var document = HoconDocument.Load([new HoconSource(reader.ReadToEnd(), "sampler.conf")], _ => null);

        Assert.NotNull(document.Values);
    }
}
