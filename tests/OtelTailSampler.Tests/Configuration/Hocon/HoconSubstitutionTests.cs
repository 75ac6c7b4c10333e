namespace OtelTailSampler.Tests.Configuration.Hocon;

public sealed class HoconSubstitutionTests
{
    [Fact]
    public void Substitution_copies_a_value_from_anywhere_in_the_document()
    {
        var values = TestHocon.Values("""
            a = ${defaults.port}
            defaults { port = 4317 }
            """);

        Assert.Equal("4317", values["a"]);
    }

    [Fact]
    public void Substitution_of_an_object_copies_its_fields()
    {
        var values = TestHocon.Values("""
            base { timeout = 5s, retries = 3 }
            exporter = ${base}
            """);

        Assert.Equal("5s", values["exporter:timeout"]);
        Assert.Equal("3", values["exporter:retries"]);
    }

    [Fact]
    public void Substitution_followed_by_an_object_merges_into_a_copy()
    {
        var values = TestHocon.Values("""
            base { timeout = 5s, retries = 3 }
            exporter = ${base} { retries = 5 }
            """);

        Assert.Equal("5s", values["exporter:timeout"]);
        Assert.Equal("5", values["exporter:retries"]);
        Assert.Equal("3", values["base:retries"]);
    }

    [Fact]
    public void Substitution_joined_with_text_becomes_a_string()
    {
        var values = TestHocon.Values("""
            host = collector
            port = 4317
            endpoint = "http://"${host}":"${port}/v1
            greeting = ${host} is up
            """);

        Assert.Equal("http://collector:4317/v1", values["endpoint"]);
        Assert.Equal("collector is up", values["greeting"]);
    }

    [Fact]
    public void Substitution_inside_an_object_may_refer_to_a_sibling()
    {
        var values = TestHocon.Values("bar { foo = 42, baz = ${bar.foo} }");

        Assert.Equal("42", values["bar:baz"]);
    }

    [Fact]
    public void Substitution_sees_the_last_value_assigned_to_a_key()
    {
        var values = TestHocon.Values("a = 1\nb = ${a}\na = 2");

        Assert.Equal("2", values["b"]);
    }

    [Fact]
    public void Substitution_from_environment_is_used_when_the_path_is_not_in_the_configuration()
    {
        var environment = new Dictionary<string, string> { ["SAMPLER_HOST"] = "10.0.0.1" };

        var values = TestHocon.Values("host = ${SAMPLER_HOST}\noptional = ${?SAMPLER_HOST}", environment);

        Assert.Equal("10.0.0.1", values["host"]);
        Assert.Equal("10.0.0.1", values["optional"]);
    }

    [Fact]
    public void Substitution_from_environment_overrides_value()
    {
        var environment = new Dictionary<string, string> { ["SAMPLER_ENDPOINT"] = "http://prod:4317" };

        var values = TestHocon.Values("""
            endpoint = "http://localhost:4317"
            endpoint = ${?SAMPLER_ENDPOINT}
            """, environment);

        Assert.Equal("http://prod:4317", values["endpoint"]);
    }

    [Fact]
    public void Optional_substitution_with_nothing_found_keeps_the_earlier_value()
    {
        var document = TestHocon.Load("""
            endpoint = "http://localhost:4317"
            endpoint = ${?SAMPLER_ENDPOINT}
            """);

        Assert.Equal("http://localhost:4317", document.Values["endpoint"]);
        Assert.Equal(new("test.conf", 1, 12), document.PositionOf("endpoint"));
    }

    [Fact]
    public void Optional_substitution_with_nothing_found_and_no_earlier_value_removes_the_field()
    {
        var values = TestHocon.Values("a = ${?NOT_SET}\nb = 1\nlist = [1, ${?NOT_SET}, 3]");

        Assert.False(values.ContainsKey("a"));
        Assert.Equal("1", values["b"]);
        Assert.Equal("3", values["list:1"]);
    }

    [Fact]
    public void Optional_substitution_with_nothing_found_keeps_an_earlier_object()
    {
        var values = TestHocon.Values("o { a = 1 }\no = ${?NOT_SET}\no { b = 2 }");

        Assert.Equal("1", values["o:a"]);
        Assert.Equal("2", values["o:b"]);
    }

    [Fact]
    public void Optional_substitution_in_text_reads_as_empty()
    {
        var values = TestHocon.Values("a = prefix-${?NOT_SET}-suffix");

        Assert.Equal("prefix--suffix", values["a"]);
    }

    [Fact]
    public void Configuration_value_wins_over_the_environment_and_null_blocks_it()
    {
        var environment = new Dictionary<string, string> { ["HOME"] = "/home/env", ["USER"] = "env" };

        var values = TestHocon.Values("HOME = /home/config\nUSER = null\nh = ${HOME}\nu = ${USER}", environment);

        Assert.Equal("/home/config", values["h"]);
        Assert.Null(values["u"]);
    }

    [Fact]
    public void Empty_environment_variable_counts_as_unset()
    {
        var environment = new Dictionary<string, string> { ["EMPTY"] = "" };

        var values = TestHocon.Values("a = default\na = ${?EMPTY}", environment);

        Assert.Equal("default", values["a"]);
    }

    [Fact]
    public void Self_reference_extends_the_earlier_value()
    {
        var environment = new Dictionary<string, string> { ["JAVA_OPTS"] = "-Xms1g" };

        var values = TestHocon.Values("""
            path = /opt/bin
            path = ${path}":/usr/local/bin"
            list = [a]
            list = ${list} [b]
            JAVA_OPTS = ${JAVA_OPTS}" -Xmx2g"
            """, environment);

        Assert.Equal("/opt/bin:/usr/local/bin", values["path"]);
        Assert.Equal("a", values["list:0"]);
        Assert.Equal("b", values["list:1"]);
        Assert.Equal("-Xms1g -Xmx2g", values["JAVA_OPTS"]);
    }

    [Fact]
    public void Substituted_value_is_positioned_where_the_substitution_was_written()
    {
        var document = TestHocon.Load("a = 1\nb = ${a}", new Dictionary<string, string>());

        Assert.Equal(new("test.conf", 2, 5), document.PositionOf("b"));
    }
}
