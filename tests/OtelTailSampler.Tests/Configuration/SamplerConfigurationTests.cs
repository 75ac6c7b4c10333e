using OtelTailSampler.Configuration;
using OtelTailSampler.Configuration.Hocon;
using OtelTailSampler.Export.Otlp;

namespace OtelTailSampler.Tests.Configuration;

public sealed class SamplerConfigurationTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static SamplerConfigurationResult Load(string userText, Func<string, string?>? environment = null) =>
        SamplerConfiguration.Load([new HoconSource(SamplerConfiguration.DefaultsText(), SamplerConfiguration.DefaultsFileName), new HoconSource(userText, "user.conf")],
            environment ?? NoEnvironment);

    [Fact]
    public void Embedded_defaults_are_valid_and_match_the_documented_values()
    {
        var result = SamplerConfiguration.Load(userFile: null, NoEnvironment);

        Assert.Empty(result.Errors);
        var options = result.Options!;
        Assert.Equal("./data", options.Node.DataDir);
        Assert.Equal("0.0.0.0:4317", options.Receivers.GrpcEndpoint);
        Assert.Equal("0.0.0.0:4318", options.Receivers.HttpEndpoint);
        Assert.Equal(64L * 1024 * 1024, options.Receivers.GrpcMaxRecvMsgSize);
        Assert.Equal(20L * 1024 * 1024, options.Receivers.HttpMaxRequestBodySize);
        Assert.Equal("127.0.0.1:13133", options.Admin.Endpoint);
        Assert.Null(options.Exporters.Otlp);
        Assert.Equal("./data/export", options.Exporters.File.Path);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Exporters.UnhealthyAfter);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Exporters.FailureLogInterval);
    }

    [Fact]
    public void Every_default_in_the_file_equals_the_options_record_default()
    {
        // The records carry the same defaults as hocon/sampler.conf, so a setting removed from a layer keeps its documented value.
        var fromFile = SamplerConfiguration.Load(userFile: null, NoEnvironment).Options!;
        var fromRecords = new OtelTailSampler.Hosting.SamplerOptions();

        Assert.Equal(fromRecords.Node, fromFile.Node);
        Assert.Equal(fromRecords.Receivers, fromFile.Receivers);
        Assert.Equal(fromRecords.Admin, fromFile.Admin);
        Assert.Equal(fromRecords.Exporters.File, fromFile.Exporters.File);
        Assert.Equal(fromRecords.Exporters.UnhealthyAfter, fromFile.Exporters.UnhealthyAfter);
        Assert.Equal(fromRecords.Exporters.FailureLogInterval, fromFile.Exporters.FailureLogInterval);
        Assert.Equal(fromRecords.Telemetry, fromFile.Telemetry);
        Assert.Equal(fromRecords.Decisions, fromFile.Decisions);
    }

    [Fact]
    public void Decision_replication_settings_bind_and_a_layout_over_Akka_s_key_guidance_is_reported()
    {
        var good = Load("""
            sampler.decisions { ttl = 10m, slot-length = 1m, shard-groups = 20, replicate = all, hand-off-write-timeout = 2s }
            """);
        var bad = Load("""
            sampler.decisions {
              slot-length = 1ms
              shard-groups = 100
              replicate = some
            }
            """);

        Assert.Empty(good.Errors);
        Assert.Equal(
            new OtelTailSampler.Decisions.DecisionsOptions
            {
                Ttl = TimeSpan.FromMinutes(10),
                SlotLength = TimeSpan.FromMinutes(1),
                ShardGroups = 20,
                Replicate = OtelTailSampler.Decisions.DecisionReplication.All,
                HandOffWriteTimeout = TimeSpan.FromSeconds(2),
            },
            good.Options!.Decisions);
        Assert.Equal(11, good.Options.Decisions.Keys().RingSize);
        Assert.Equal(
            OtelTailSampler.Decisions.DecisionReplication.None,
            SamplerConfiguration.Load(userFile: null, new Dictionary<string, string> { ["SAMPLER_DECISIONS_REPLICATE"] = "none" }.GetValueOrDefault)
                .Options!.Decisions.Replicate);
        Assert.Null(bad.Options);
        var errors = bad.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.Contains("sampler.decisions.slot-length:", StringComparison.Ordinal) && e.Contains("100000 DData keys", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("sampler.decisions.replicate:", StringComparison.Ordinal));
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Telemetry_settings_bind_from_the_file_and_the_endpoint_from_the_environment()
    {
        var fromFile = Load("""
            sampler.telemetry {
              interval = 5s
              otlp { endpoint = "http://collector:4318", protocol = "http/protobuf" }
            }
            """);
        var fromEnvironment = SamplerConfiguration.Load(userFile: null,
            new Dictionary<string, string> { ["SAMPLER_TELEMETRY_OTLP_ENDPOINT"] = "http://127.0.0.1:14317" }.GetValueOrDefault);

        Assert.Empty(fromFile.Errors);
        var telemetry = fromFile.Options!.Telemetry;
        Assert.Equal(new Uri("http://collector:4318"), telemetry.OtlpEndpoint);
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, telemetry.OtlpProtocol);
        Assert.Equal(TimeSpan.FromSeconds(5), telemetry.Interval);
        Assert.Empty(fromEnvironment.Errors);
        Assert.Equal(new Uri("http://127.0.0.1:14317"), fromEnvironment.Options!.Telemetry.OtlpEndpoint);
        Assert.Equal(OtlpExportProtocol.Grpc, fromEnvironment.Options.Telemetry.OtlpProtocol);
        Assert.Null(SamplerConfiguration.Load(userFile: null, NoEnvironment).Options!.Telemetry.OtlpEndpoint);
    }

    [Fact]
    public void Bad_telemetry_settings_are_reported_with_their_positions()
    {
        var result = Load("""
            sampler.telemetry {
              otlp.endpoint = "collector:4317"
              otlp.protocol = udp
              interval = 0s
              intervall = 1s
            }
            """);

        Assert.Null(result.Options);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("user.conf:2:19: sampler.telemetry.otlp.endpoint: 'collector:4317' is not an http:// or https:// URL", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("user.conf:3:19: sampler.telemetry.otlp.protocol:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("user.conf:4:14: sampler.telemetry.interval: must be longer than 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("user.conf:5:15: sampler.telemetry.intervall: unknown setting", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Seed_nodes_are_host_and_port_or_akka_addresses_and_anything_else_is_reported()
    {
        var good = Load("""
            sampler.cluster.seed-nodes = ["sampler-1:4319", "akka.trttl.tcp://otel-sampler@sampler-2:4319"]
            """);
        var bad = Load("""
            sampler.cluster.seed-nodes = ["sampler-1", "akka.tcp://elsewhere@sampler-2:4319"]
            """);
        var fromEnvironment = SamplerConfiguration.Load(userFile: null, new Dictionary<string, string>
        {
            ["SAMPLER_CLUSTER_SEED_NODES"] = "akka.trttl.tcp://otel-sampler@127.0.0.2:4319, 127.0.0.3:4319",
        }.GetValueOrDefault);

        Assert.Empty(good.Errors);
        Assert.Equal(["sampler-1:4319", "akka.trttl.tcp://otel-sampler@sampler-2:4319"], good.Options!.Cluster.SeedNodes);
        Assert.Empty(fromEnvironment.Errors);
        Assert.Equal(["akka.trttl.tcp://otel-sampler@127.0.0.2:4319", "127.0.0.3:4319"], fromEnvironment.Options!.Cluster.SeedNodes);
        Assert.Null(bad.Options);
        var errors = bad.Errors.Select(e => e.ToString()).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("sampler.cluster.seed-nodes[0]: 'sampler-1' is not host:port", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("sampler.cluster.seed-nodes[1]: 'akka.tcp://elsewhere@sampler-2:4319' is not host:port", StringComparison.Ordinal));
    }

    [Fact]
    public void User_file_overrides_and_configures_the_otlp_exporter()
    {
        var result = Load("""
            sampler.exporters.otlp {
              endpoint = "http://127.0.0.1:4317"
              protocol = "http/protobuf"
              compression = none
              headers { "x-api-key" = secret }
              batch { max-size = 100, timeout = 1s }
              retry-on-failure.max-elapsed-time = 0
            }
            sampler.receivers.otlp.http.max-request-body-size = 1MiB
            """);

        Assert.Empty(result.Errors);
        var otlp = result.Options!.Exporters.Otlp!;
        Assert.Equal(new Uri("http://127.0.0.1:4317"), otlp.Endpoint);
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, otlp.Protocol);
        Assert.Equal(OtlpExportCompression.None, otlp.Compression);
        Assert.Equal("secret", otlp.Headers["x-api-key"]);
        Assert.Equal(100, otlp.BatchMaxItems);
        Assert.Equal(TimeSpan.FromSeconds(1), otlp.BatchDelay);
        Assert.Equal(TimeSpan.Zero, otlp.RetryMaxElapsedTime);
        Assert.Equal(TimeSpan.FromSeconds(10), otlp.Timeout);
        Assert.Equal(1024 * 1024, result.Options.Receivers.HttpMaxRequestBodySize);
    }

    [Fact]
    public void Environment_overrides_defaults_and_the_export_path_follows_the_data_dir()
    {
        var environment = new Dictionary<string, string>
        {
            ["SAMPLER_DATA_DIR"] = "/var/lib/sampler",
            ["SAMPLER_EXPORTER_ENDPOINT"] = "http://127.0.0.1:14317",
            ["SAMPLER_OTLP_GRPC_ENDPOINT"] = "127.0.0.1:5317",
        };

        var result = SamplerConfiguration.Load(userFile: null, environment.GetValueOrDefault);

        Assert.Empty(result.Errors);
        Assert.Equal("/var/lib/sampler", result.Options!.Node.DataDir);
        Assert.Equal("/var/lib/sampler/export", result.Options.Exporters.File.Path);
        Assert.Equal(new Uri("http://127.0.0.1:14317"), result.Options.Exporters.Otlp!.Endpoint);
        Assert.Equal("127.0.0.1:5317", result.Options.Receivers.GrpcEndpoint);
    }

    [Fact]
    public void Bad_values_and_typos_are_all_reported_with_their_positions()
    {
        var result = Load("""
            sampler {
              exporters.otlp {
                endpoint = "collector:4317"
                protocol = carrier-pigeon
                timeout = soon
                protcol = grpc
              }
              receivers.otlp.grpc.endpoint = "nowhere"
            }
            """);

        Assert.Null(result.Options);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("user.conf:3:16: sampler.exporters.otlp.endpoint:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("user.conf:4:16: sampler.exporters.otlp.protocol:", StringComparison.Ordinal) && e.Contains("http/protobuf", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("user.conf:5:15: sampler.exporters.otlp.timeout:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("user.conf:6:15: sampler.exporters.otlp.protcol: unknown setting", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("user.conf:8:34: sampler.receivers.otlp.grpc.endpoint:", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void Exporter_failure_settings_are_read_and_must_be_positive()
    {
        var set = Load("sampler.exporters { unhealthy-after = 2m, failure-log-interval = 1m }");
        Assert.Empty(set.Errors);
        Assert.Equal(TimeSpan.FromMinutes(2), set.Options!.Exporters.UnhealthyAfter);
        Assert.Equal(TimeSpan.FromMinutes(1), set.Options.Exporters.FailureLogInterval);

        var bad = Load("""
            sampler.exporters {
              unhealthy-after = 0s
              failure-log-interval = -1s
              unhealthy-afterr = 5s
            }
            """);
        Assert.Null(bad.Options);
        var errors = bad.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("user.conf:2:21: sampler.exporters.unhealthy-after: must be longer than 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("user.conf:3:26: sampler.exporters.failure-log-interval:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("user.conf:4:22: sampler.exporters.unhealthy-afterr: unknown setting", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Syntax_errors_carry_file_line_and_column()
    {
        var result = Load("sampler {\n  node.data-dir = \"unterminated\n}\n");

        Assert.Null(result.Options);
        Assert.StartsWith("user.conf:2:", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_an_error()
    {
        var result = SamplerConfiguration.Load("/nonexistent/sampler.conf", NoEnvironment);

        Assert.Contains("does not exist", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }
}
