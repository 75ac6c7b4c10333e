using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Export;
using OtelTailSampler.Hosting;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Persistence;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;
using OtlpExporterOptions = OtelTailSampler.Export.Otlp.OtlpExporterOptions;

namespace OtelTailSampler.Tests.Hosting;

/// <summary>
/// A node whose backend is down, as its operator sees it: /readyz turns 503 only once exports have failed for
/// sampler.exporters.unhealthy-after and is ready again at the first delivery; /healthz never changes; and
/// journaled traces the exporter gives up on at shutdown are not reported as dropped, because they are not.
/// </summary>
public sealed class ExporterReadinessTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-readiness-").FullName;
    private readonly ManualTimeProvider _time = new();
    private readonly HttpClient _client = new();
    private readonly CapturingLoggerProvider _logs = new();
    private OtlpTestSink _sink = null!;
    private SamplerNode? _node;

    public async Task InitializeAsync() => _sink = await OtlpTestSink.StartAsync();

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        await _sink.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Readyz_turns_503_after_unhealthy_after_of_failed_exports_and_back_at_the_first_delivery()
    {
        _sink.FailNextGrpcCalls(100_000, GrpcStatusCode.Unavailable, "backend down");
        _node = await StartNodeAsync();
        Assert.Equal((HttpStatusCode.OK, "ok"), await ReadyzAsync());

        using (var accepted = await SendTraceAsync(1))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        // The first failed attempt is logged right after it is recorded; the clock has not moved since.
        await Poll.UntilAsync(() => _logs.Entries.Any(e => e.Message.StartsWith("Exports of traces are failing", StringComparison.Ordinal)), "the first failed export");
        _time.Advance(TimeSpan.FromSeconds(29.9));
        Assert.Equal((HttpStatusCode.OK, "ok"), await ReadyzAsync());
        Assert.Equal(HttpStatusCode.OK, await HealthzAsync());

        _time.Advance(TimeSpan.FromSeconds(0.1));
        var (status, reason) = await ReadyzAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith("failing: exports of traces since 2026-01-01T00:00:00Z (30.0s), last error: gRPC UNAVAILABLE: backend down", reason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await HealthzAsync());

        // The backend is back: move the clock until a retry has delivered the trace; then ready with no more time passing.
        _sink.ClearScript();
        while (_sink.SpanCount == 0)
        {
            await Poll.UntilAsync(() => _time.ArmedTimerCount >= 2 || _sink.SpanCount > 0, "the exporter's backoff timer");
            _time.Advance(TimeSpan.FromSeconds(1));
            await ((SamplingPipeline)_node.Pipeline).WhenIdleAsync();
        }

        await Poll.UntilAsync(() => ReadyzAsync().GetAwaiter().GetResult().Status == HttpStatusCode.OK, "/readyz to be 200 after the delivery");
        Assert.Equal(HttpStatusCode.OK, await HealthzAsync());
        await Poll.UntilAsync(
            () => _logs.Entries.Any(e => e.Level == LogLevel.Information && e.Message.StartsWith("Exports of traces succeed again after ", StringComparison.Ordinal)),
            "the line saying exports succeed again");
    }

    [Fact]
    public async Task Stopping_with_the_backend_down_reports_no_drop_of_journaled_traces_and_they_arrive_after_a_restart()
    {
        _sink.FailNextGrpcCalls(100_000, GrpcStatusCode.Unavailable, "backend down");
        _node = await StartNodeAsync();
        using (var accepted = await SendTraceAsync(7))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        await Poll.UntilAsync(() => _logs.Entries.Any(e => e.Message.StartsWith("Exports of traces are failing", StringComparison.Ordinal)), "the first failed export");
        await _node.DisposeAsync();
        _node = null;

        var exporterLog = _logs.Entries.Where(e => e.Category.StartsWith("OtelTailSampler.Export", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(exporterLog);
        Assert.DoesNotContain(exporterLog, e => e.Message.Contains("dropped", StringComparison.OrdinalIgnoreCase) || e.Level >= LogLevel.Error);

        _sink.ClearScript();
        _node = await StartNodeAsync();
        await _sink.WaitForSpansAsync(1);
        Assert.Equal(7, _sink.Spans[0].TraceId[15]);
    }

    private async Task<SamplerNode> StartNodeAsync()
    {
        var options = TestNode.LoopbackOptions(_dataDir) with
        {
            PipelineMode = PipelineMode.Sample,
            Node = new NodeOptions { DataDir = _dataDir, ShutdownTimeout = TimeSpan.FromMilliseconds(200) },
            Sharding = new ShardingOptions { Shards = 4 },
            Sampling = new SamplingOptions
            {
                MaxSpansPerTrace = 1,
                Policies = new PolicySetOptions([new AlwaysSamplePolicyOptions("keep-all")]),
            },
            Journal = new JournalOptions { Backend = JournalBackend.Sqlite, Sync = JournalSync.Normal, SqlitePath = Path.Combine(_dataDir, "journal") },
            Exporters = new ExportersOptions
            {
                UnhealthyAfter = TimeSpan.FromSeconds(30),
                Otlp = new OtlpExporterOptions
                {
                    Endpoint = _sink.GrpcEndpoint,
                    BatchDelay = TimeSpan.Zero,

                    // The clock here moves only when the test says; an attempt in flight must not time out on it.
                    Timeout = TimeSpan.FromHours(1),
                    RetryInitialInterval = TimeSpan.FromSeconds(1),
                    RetryMaxInterval = TimeSpan.FromSeconds(1),
                    RetryRandomizationFactor = 0,
                    RetryMaxElapsedTime = TimeSpan.Zero,
                },
            },
        };
        var node = SamplerNode.Create(options, logging => logging.AddProvider(_logs), exporter: null, _time);
        await node.StartAsync();
        return node;
    }


    private async Task<HttpResponseMessage> SendTraceAsync(int trace)
    {
        var content = new ByteArrayContent(OtlpSamples.Traces(OtlpSamples.Span(trace, 1)).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return await _client.PostAsync(new Uri($"http://127.0.0.1:{_node!.HttpEndpoint.Port}/v1/traces"), content);
    }

    // The status of /readyz and what its exporter check says.
    private async Task<(HttpStatusCode Status, string Exporter)> ReadyzAsync()
    {
        using var response = await _client.GetAsync(new Uri($"http://127.0.0.1:{_node!.AdminEndpoint.Port}/readyz"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("checks").GetProperty("exporter").GetString()!);
    }

    private async Task<HttpStatusCode> HealthzAsync()
    {
        using var response = await _client.GetAsync(new Uri($"http://127.0.0.1:{_node!.AdminEndpoint.Port}/healthz"));
        return response.StatusCode;
    }
}
