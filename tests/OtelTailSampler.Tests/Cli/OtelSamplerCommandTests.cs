using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Otlp.Json;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Cli;

/// <summary>The `otel-sampler` binary, run as a separate process the way a user runs it.</summary>
public sealed class OtelSamplerCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteConfig(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Config_validate_accepts_a_good_file()
    {
        var file = WriteConfig("good.conf", "sampler.exporters.otlp.endpoint = \"http://127.0.0.1:4317\"\n");

        var (code, stdout, _) = await SamplerProcess.RunAsync(_directory, "config", "validate", file);

        Assert.Equal(0, code);
        Assert.Contains("configuration is valid", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_validate_prints_every_error_with_its_position_and_fails()
    {
        var file = WriteConfig("bad.conf", "sampler {\n  admin.endpoint = \"somewhere\"\n  exporters.otlp.timeout = soon\n}\n");

        var (code, _, stderr) = await SamplerProcess.RunAsync(_directory, "config", "validate", file);

        Assert.Equal(1, code);
        Assert.Contains($"{file}:2:20: sampler.admin.endpoint:", stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:3:28: sampler.exporters.otlp.timeout:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_refuses_to_start_on_an_invalid_file_with_the_same_messages()
    {
        var file = WriteConfig("bad.conf", "sampler.exporters.otlp.protocol = smoke-signals\n");

        var (code, _, stderr) = await SamplerProcess.RunAsync(_directory, "--config", file);

        Assert.Equal(1, code);
        Assert.Contains("refusing to start", stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:1:35: sampler.exporters.otlp.protocol:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_run_journals_under_data_and_keeps_an_error_trace_in_the_file_export()
    {
        // Everything else is the embedded default; one span per trace makes the decision immediate, so the
        // test needs no timer.
        var config = WriteConfig("one-span.conf", "sampler.sampling.max-spans-per-trace = 1\n");
        var environment = SamplerProcess.LoopbackEnvironment();
        using var sampler = SamplerProcess.Start(_directory, environment, "--config", config);
        var ports = await sampler.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));

        // The default policies keep every trace with an error; this one is decided when the node stops.
        var failing = OtlpSamples.Span(42, 1, "checkout");
        failing.Status = new OpenTelemetry.Proto.Trace.V1.Status { Code = OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Error };
        var traces = OtlpSamples.Traces(failing);
        using (var client = new HttpClient())
        {
            using var ready = await client.GetAsync(new Uri($"http://127.0.0.1:{ports.Admin}/readyz"));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            using var content = new ByteArrayContent(traces.ToByteArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var response = await client.PostAsync(new Uri($"http://127.0.0.1:{ports.Http}/v1/traces"), content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, await sampler.TerminateAsync(TimeSpan.FromSeconds(60)));
        Assert.True(File.Exists(Path.Combine(_directory, "data", "journal", "journal.db")));
        var exported = Path.Combine(_directory, "data", "export", "traces.jsonl");
        Assert.True(File.Exists(exported), $"no {exported}; output:\n{sampler.StandardOutput}\n{sampler.StandardError}");
        var line = Assert.Single(await File.ReadAllLinesAsync(exported));
        var span = OtlpJson.Parse<ExportTraceServiceRequest>(System.Text.Encoding.UTF8.GetBytes(line)).ResourceSpans.Single().ScopeSpans.Single().Spans.Single();
        Assert.Equal(failing.SpanId, span.SpanId);
        Assert.Equal("keep-errors", span.Attributes.Single(a => a.Key == "sampling.policy").Value.StringValue);
        Assert.Equal(1.0, span.Attributes.Single(a => a.Key == "sampling.adjusted_count").Value.DoubleValue);
    }

    private static readonly Dictionary<string, string> LoopbackPorts = SamplerProcess.LoopbackEnvironment();

    [Fact]
    public async Task A_port_in_use_stops_the_start_with_one_line_naming_the_setting_and_exit_code_2()
    {
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var environment = new Dictionary<string, string>(LoopbackPorts) { ["SAMPLER_OTLP_HTTP_ENDPOINT"] = $"127.0.0.1:{port}" };

        using var sampler = SamplerProcess.Start(_directory, environment);
        var code = await sampler.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        var line = Assert.Single(NonEmptyLines(sampler.StandardError));
        Assert.Equal($"otel-sampler: sampler.receivers.otlp.http.endpoint: cannot listen on 127.0.0.1:{port}: Address already in use", line);
        Assert.DoesNotContain("   at ", sampler.StandardOutput + sampler.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_journal_that_cannot_be_opened_stops_the_start_with_one_line_naming_the_setting_and_exit_code_2()
    {
        // A data directory below a plain file cannot be created, whoever runs the test.
        var file = Path.Combine(_directory, "not-a-directory");
        await File.WriteAllTextAsync(file, "");
        var environment = new Dictionary<string, string>(LoopbackPorts) { ["SAMPLER_DATA_DIR"] = Path.Combine(file, "data") };

        using var sampler = SamplerProcess.Start(_directory, environment);
        var code = await sampler.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        var line = Assert.Single(NonEmptyLines(sampler.StandardError));
        Assert.StartsWith($"otel-sampler: sampler.journal.sqlite.path: cannot open the journal at {Path.Combine(file, "data", "journal", "journal.db")}: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", sampler.StandardOutput + sampler.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_without_a_journal_warns_at_start_that_acknowledgements_are_not_durable()
    {
        var environment = new Dictionary<string, string>(LoopbackPorts) { ["SAMPLER_JOURNAL_BACKEND"] = "none" };
        using var sampler = SamplerProcess.Start(_directory, environment);
        await sampler.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, await sampler.TerminateAsync(TimeSpan.FromSeconds(60)));

        var warning = Assert.Single(NonEmptyLines(sampler.StandardOutput), line => line.Contains("not durable", StringComparison.Ordinal));
        Assert.Contains(" warn: ", warning, StringComparison.Ordinal);
        Assert.Contains("sampler.journal.backend = none", warning, StringComparison.Ordinal);
    }

    private static List<string> NonEmptyLines(string text) =>
        [.. text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0)];
}
