using Microsoft.Extensions.Configuration;
using OtelTailSampler.Configuration;
using OtelTailSampler.Configuration.Hocon;
using OtelTailSampler.Tests.Configuration.Hocon;

namespace OtelTailSampler.Tests.Configuration;

public sealed class SettingsReaderTests
{
    private enum Protocol
    {
        Grpc,
        HttpProtobuf,
    }

    private static readonly Dictionary<string, Protocol> ProtocolChoices = new(StringComparer.Ordinal)
    {
        ["grpc"] = Protocol.Grpc,
        ["http/protobuf"] = Protocol.HttpProtobuf,
    };

    private static SettingsReader Reader(string text)
    {
        var document = TestHocon.Load(text);
        return new SettingsReader(new ConfigurationBuilder().AddHocon(document).Build(), document.PositionOf);
    }

    [Fact]
    public void Bad_duration_is_reported_with_the_file_line_and_column_of_the_value()
    {
        var reader = Reader("""
            sampler {
              exporters.otlp {
                timeout = 5 parsecs
              }
            }
            """);

        var timeout = reader.Section("sampler.exporters.otlp").GetDuration("timeout", TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(10), timeout);
        var error = Assert.Single(reader.Errors);
        Assert.Equal("sampler.exporters.otlp.timeout", error.Path);
        Assert.Equal(new SourcePosition("test.conf", 3, 15), error.Position);
        Assert.StartsWith("test.conf:3:15: sampler.exporters.otlp.timeout: expected a duration", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("'5 parsecs'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absent_keys_return_defaults_without_errors()
    {
        var reader = Reader("sampler { other = 1 }").Section("sampler");

        Assert.Equal("fallback", reader.GetString("name", "fallback"));
        Assert.Equal(7, reader.GetInt("count", 7, min: 1, max: 10));
        Assert.Equal(0.5, reader.GetDouble("ratio", 0.5));
        Assert.Equal(1024L, reader.GetSize("max-size", 1024));
        Assert.Equal(TimeSpan.FromSeconds(3), reader.GetDuration("timeout", TimeSpan.FromSeconds(3)));
        Assert.True(reader.GetBool("enabled", true));
        Assert.Equal(Protocol.Grpc, reader.GetEnum("protocol", Protocol.Grpc));
        Assert.Equal(Protocol.HttpProtobuf, reader.GetChoice("transport", Protocol.HttpProtobuf, ProtocolChoices));
        Assert.Empty(reader.GetMap("headers"));
        Assert.Empty(reader.GetList("policies"));
        Assert.Empty(reader.GetStringList("names"));
        Assert.False(reader.Has("name"));
        Assert.Empty(reader.Errors);
    }

    [Fact]
    public void Null_value_returns_the_default()
    {
        var reader = Reader("timeout = null");

        Assert.Equal(TimeSpan.FromSeconds(1), reader.GetDuration("timeout", TimeSpan.FromSeconds(1)));
        Assert.Empty(reader.Errors);
    }

    [Fact]
    public void Valid_values_are_read_with_their_types()
    {
        var reader = Reader("""
            s {
              name = collector
              count = 42
              ratio = 0.25
              max-size = 4MiB
              timeout = 750ms
              enabled = off
              protocol = http-protobuf
              transport = http/protobuf
              nested.deep = yes
            }
            """).Section("s");

        Assert.Equal("collector", reader.GetString("name", ""));
        Assert.Equal(42, reader.GetInt("count", 0, min: 1, max: 100));
        Assert.Equal(0.25, reader.GetDouble("ratio", 0, min: 0, max: 1));
        Assert.Equal(4L * 1024 * 1024, reader.GetSize("max-size", 0));
        Assert.Equal(TimeSpan.FromMilliseconds(750), reader.GetDuration("timeout", TimeSpan.Zero));
        Assert.False(reader.GetBool("enabled", true));
        Assert.Equal(Protocol.HttpProtobuf, reader.GetEnum("protocol", Protocol.Grpc));
        Assert.Equal(Protocol.HttpProtobuf, reader.GetChoice("transport", Protocol.Grpc, ProtocolChoices));
        Assert.True(reader.GetBool("nested.deep", false));
        Assert.True(reader.Has("nested"));
        Assert.Empty(reader.Errors);
    }

    [Fact]
    public void Number_out_of_range_is_an_error_naming_the_bounds()
    {
        var reader = Reader("workers = 0\nqueue = -5\nratio = 1.5");

        Assert.Equal(4, reader.GetInt("workers", 4, min: 1, max: 64));
        Assert.Equal(10, reader.GetInt("queue", 10, min: 0));
        Assert.Equal(1.0, reader.GetDouble("ratio", 1.0, min: 0, max: 1));

        Assert.Equal(
            [
                "test.conf:1:11: workers: must be between 1 and 64 but is 0",
                "test.conf:2:9: queue: must be at least 0 but is -5",
                "test.conf:3:9: ratio: must be between 0 and 1 but is 1.5",
            ],
            reader.Errors.Select(error => error.ToString()));
    }

    [Fact]
    public void Malformed_values_are_errors_and_return_defaults()
    {
        var reader = Reader("""
            count = many
            size = 3 parsecs
            enabled = maybe
            protocol = carrier-pigeon
            transport = smoke
            negative = -1s
            """);

        Assert.Equal(1, reader.GetInt("count", 1));
        Assert.Equal(2L, reader.GetSize("size", 2));
        Assert.True(reader.GetBool("enabled", true));
        Assert.Equal(Protocol.Grpc, reader.GetEnum("protocol", Protocol.Grpc));
        Assert.Equal(Protocol.Grpc, reader.GetChoice("transport", Protocol.Grpc, ProtocolChoices));
        Assert.Equal(TimeSpan.FromSeconds(1), reader.GetDuration("negative", TimeSpan.FromSeconds(1)));

        Assert.Equal(["count", "size", "enabled", "protocol", "transport", "negative"], reader.Errors.Select(error => error.Path));
        Assert.Equal([1, 2, 3, 4, 5, 6], reader.Errors.Select(error => error.Position!.Line));
        Assert.Contains("grpc, http-protobuf", reader.Errors[3].Message, StringComparison.Ordinal);
        Assert.Contains("grpc, http/protobuf", reader.Errors[4].Message, StringComparison.Ordinal);
        Assert.Contains("must not be negative", reader.Errors[5].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Numeric_enum_values_are_rejected()
    {
        var reader = Reader("protocol = 1");

        Assert.Equal(Protocol.Grpc, reader.GetEnum("protocol", Protocol.Grpc));
        Assert.Single(reader.Errors);
    }

    [Fact]
    public void Object_where_a_value_is_expected_is_an_error()
    {
        var reader = Reader("timeout { seconds = 5 }");

        Assert.Equal(TimeSpan.FromSeconds(1), reader.GetDuration("timeout", TimeSpan.FromSeconds(1)));
        var error = Assert.Single(reader.Errors);
        Assert.Equal("test.conf:1:9: timeout: expected a single value but found an object or list", error.ToString());
    }

    [Fact]
    public void Map_reads_an_object_of_text_values()
    {
        var reader = Reader("""
            exporter.headers {
              authorization = "Bearer token"
              x-tenant = acme
            }
            """).Section("exporter");

        var headers = reader.GetMap("headers");

        Assert.Equal(2, headers.Count);
        Assert.Equal("Bearer token", headers["authorization"]);
        Assert.Equal("acme", headers["x-tenant"]);
    }

    [Fact]
    public void List_of_objects_gives_a_reader_per_element_with_indexed_error_paths()
    {
        var reader = Reader("""
            sampler.policies = [
              { name = errors, rate = 1 }
              { name = slow, rate = lots }
            ]
            """);

        var policies = reader.Section("sampler").GetList("policies");

        Assert.Equal(["errors", "slow"], policies.Select(policy => policy.GetString("name", "")));
        Assert.Equal("sampler.policies[1]", policies[1].Path);
        Assert.Equal(0.5, policies[1].GetDouble("rate", 0.5));
        var error = Assert.Single(reader.Errors);
        Assert.Equal("test.conf:3:25: sampler.policies[1].rate: expected a number but found 'lots'", error.ToString());
    }

    [Fact]
    public void String_list_reads_text_elements_in_order()
    {
        var reader = Reader("names = [c, a, b, d, e, f, g, h, i, j, k]");

        Assert.Equal(["c", "a", "b", "d", "e", "f", "g", "h", "i", "j", "k"], reader.GetStringList("names"));
    }

    [Fact]
    public void Object_where_a_list_is_expected_is_an_error()
    {
        var reader = Reader("policies { name = x }");

        Assert.Empty(reader.GetList("policies"));
        Assert.Equal("test.conf:1:10: policies: expected a list but found an object", Assert.Single(reader.Errors).ToString());
    }

    [Fact]
    public void Sections_share_the_errors_of_their_root()
    {
        var root = Reader("a.x = bad\nb.y = bad");

        root.Section("a").GetInt("x", 0);
        root.Section("b").GetBool("y", false);

        Assert.Equal(["a.x", "b.y"], root.Errors.Select(error => error.Path));
        Assert.Equal(2, root.Section("a").Errors.Count);
    }

    [Fact]
    public void Added_error_for_a_missing_key_points_at_the_enclosing_object()
    {
        var reader = Reader("sampler {\n  exporter {\n    protocol = grpc\n  }\n}");

        reader.Section("sampler.exporter").AddError("endpoint", "is required");

        Assert.Equal("test.conf:2:12: sampler.exporter.endpoint: is required", Assert.Single(reader.Errors).ToString());
    }

    [Fact]
    public void Unknown_keys_are_reported_at_their_position()
    {
        var reader = Reader("exporter {\n  timeout = 1s\n  timout = 2s\n}").Section("exporter");

        reader.ReportUnknownKeys("timeout", "endpoint");

        var error = Assert.Single(reader.Errors);
        Assert.Equal("exporter.timout", error.Path);
        Assert.Equal(new SourcePosition("test.conf", 3, 12), error.Position);
    }

    [Fact]
    public void Error_without_a_position_formats_as_path_and_message()
    {
        var reader = new SettingsReader(
            new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>("a:b", "x")]).Build(),
            _ => null);

        reader.Section("a").GetInt("b", 0);

        Assert.Equal("a.b: expected a whole number but found 'x'", Assert.Single(reader.Errors).ToString());
    }
}
