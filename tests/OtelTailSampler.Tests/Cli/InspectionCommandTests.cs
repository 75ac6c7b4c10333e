using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;
using Xunit.Abstractions;

namespace OtelTailSampler.Tests.Cli;

/// <summary>
/// `otel-sampler cluster shards` and `otel-sampler trace` against a running node process, as a user runs them: the
/// tables name the node and what became of a trace it kept; a bad trace ID exits 2, an unreachable admin API 1,
/// each with one line on standard error.
/// </summary>
public sealed class InspectionCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Cluster_shards_and_trace_report_a_kept_trace_and_refuse_bad_input_in_one_line()
    {
        // One span per trace makes the decision immediate: the default policies keep the error trace at once.
        var config = Path.Combine(_directory, "one-span.conf");
        await File.WriteAllTextAsync(config, "sampler.sampling.max-spans-per-trace = 1\n");
        using var sampler = SamplerProcess.Start(_directory, SamplerProcess.LoopbackEnvironment(), "--config", config);
        var ports = await sampler.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
        var admin = $"http://127.0.0.1:{ports.Admin}";

        var failing = OtlpSamples.Span(42, 1, "checkout");
        failing.Status = new OpenTelemetry.Proto.Trace.V1.Status { Code = OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Error };
        using (var client = new HttpClient())
        {
            using var content = new ByteArrayContent(OtlpSamples.Traces(failing).ToByteArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var response = await client.PostAsync(new Uri($"http://127.0.0.1:{ports.Http}/v1/traces"), content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var traceId = Convert.ToHexStringLower(failing.TraceId.Span);
        var shard = new ShardRouter(100, 1).ShardOf(TraceId.Parse(traceId));

        var (code, stdout, stderr) = await SamplerProcess.RunAsync(_directory, "cluster", "shards", "--admin", admin);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        var row = Assert.Single(Lines(stdout), line => line.StartsWith("akka.tcp://otel-sampler@", StringComparison.Ordinal));
        Assert.Contains("(self)", row, StringComparison.Ordinal);
        Assert.Contains(shard.ToString(System.Globalization.CultureInfo.InvariantCulture), row, StringComparison.Ordinal);
        Assert.Contains(Lines(stdout), line => line.StartsWith("100 trace shards: ", StringComparison.Ordinal));

        (code, stdout, stderr) = await SamplerProcess.RunAsync(_directory, "trace", traceId.ToUpperInvariant(), "--admin", admin);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Contains(Lines(stdout), line => line == $"shard   {shard} of 100");
        Assert.Contains(Lines(stdout), line => line == "state   kept");
        Assert.Contains(Lines(stdout), line => line == "detail  kept by policy keep-errors (adjusted count 1)");

        (code, stdout, stderr) = await SamplerProcess.RunAsync(_directory, "trace", "not-a-trace-id", "--admin", admin);
        Assert.Equal(2, code);
        Assert.Equal("otel-sampler: 'not-a-trace-id' is not a trace ID: 32 hexadecimal characters, such as 4bf92f3577b34da6a3ce929d0e0e4736", Assert.Single(Lines(stderr)));

        // Nothing listens on port 1 of loopback.
        (code, _, stderr) = await SamplerProcess.RunAsync(_directory, "trace", traceId, "--admin", "http://127.0.0.1:1");
        Assert.Equal(1, code);
        Assert.StartsWith("otel-sampler: cannot reach the admin API at http://127.0.0.1:1/", Assert.Single(Lines(stderr)), StringComparison.Ordinal);

        Assert.Equal(0, await sampler.TerminateAsync(TimeSpan.FromSeconds(60)));
    }

    private static List<string> Lines(string text) =>
        [.. text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0)];
}
