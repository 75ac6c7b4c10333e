using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
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
/// The backend refuses for a while: the node keeps accepting into its journal until max-journal-bytes, then
/// answers 503; once the backend is back, everything acknowledged arrives and the journal shrinks again.
/// </summary>
public sealed class BackendOutageTests : IAsyncLifetime
{
    private const long MaxJournalBytes = 4 * 1024;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-outage-").FullName;
    private readonly ManualTimeProvider _time = new();
    private readonly HttpClient _client = new();
    private OtlpTestSink _sink = null!;
    private SamplerNode? _node;

    public async Task InitializeAsync() => _sink = await OtlpTestSink.StartAsync();

    private async Task StartNodeAsync(long maxJournalBytes, long maxBufferedBytes = 0)
    {
        var options = TestNode.LoopbackOptions(_dataDir) with
        {
            PipelineMode = PipelineMode.Sample,
            Sharding = new ShardingOptions { Shards = 16 },
            Sampling = new SamplingOptions
            {
                MaxSpansPerTrace = 1,
                Policies = new PolicySetOptions([new AlwaysSamplePolicyOptions("keep-all")]),
                MaxBufferedBytes = maxBufferedBytes > 0 ? maxBufferedBytes : new SamplingOptions().MaxBufferedBytes,
            },
            Journal = new JournalOptions
            {
                Backend = JournalBackend.Sqlite,
                Sync = JournalSync.Normal,
                SqlitePath = Path.Combine(_dataDir, "journal"),
                MaxJournalBytes = maxJournalBytes,
            },
            Exporters = new ExportersOptions
            {
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
        _node = SamplerNode.Create(options, _ => { }, exporter: null, _time);
        await _node.StartAsync();
    }

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


    private async Task<HttpResponseMessage> SendAsync(int trace)
    {
        var content = new ByteArrayContent(OtlpSamples.Traces(OtlpSamples.Span(trace, 1)).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return await _client.PostAsync(new Uri($"http://127.0.0.1:{Node.HttpEndpoint.Port}/v1/traces"), content);
    }

    [Fact]
    public async Task Nothing_is_lost_and_clients_are_pushed_back_only_past_the_journal_limit()
    {
        await StartNodeAsync(MaxJournalBytes);
        var journal = Node.Services.GetRequiredService<JournalHolder>().Journal!.Journal;

        var acknowledged = await SendUntilPushedBackAsync();

        var full = await journal.ApproximateSizeBytesAsync(CancellationToken.None);
        Assert.True(full > MaxJournalBytes, $"pushed back with {full} bytes journaled");
        Assert.Contains("max-journal-bytes", await ReadyzAsync(), StringComparison.Ordinal);

        await BackendReturnsAsync(acknowledged);
        var drained = await journal.ApproximateSizeBytesAsync(CancellationToken.None);
        Assert.True(drained < MaxJournalBytes, $"{drained} bytes still journaled after delivery, of {full}");
    }

    [Fact]
    public async Task Kept_traces_waiting_in_memory_for_the_backend_push_back_once_they_hold_the_buffer_limit()
    {
        // The journal is deflated and has no limit here: memory must not run out before it would fill.
        const long MaxBufferedBytes = 4 * 1024;
        await StartNodeAsync(maxJournalBytes: 0, MaxBufferedBytes);
        var pipeline = (SamplingPipeline)Node.Pipeline;

        var acknowledged = await SendUntilPushedBackAsync();

        Assert.True(pipeline.PendingExportBytes > MaxBufferedBytes);
        Assert.Contains("kept traces waiting for the backend", await ReadyzAsync(), StringComparison.Ordinal);

        await BackendReturnsAsync(acknowledged);
        Assert.True(pipeline.PendingExportBytes < MaxBufferedBytes);
    }

    private SamplerNode Node => _node ?? throw new InvalidOperationException("the test starts its node first");

    // The backend refuses; requests are accepted until the node pushes back. Returns the acknowledged trace numbers.
    private async Task<List<int>> SendUntilPushedBackAsync()
    {
        _sink.FailNextGrpcCalls(100_000, GrpcStatusCode.Unavailable);
        var pipeline = (SamplingPipeline)Node.Pipeline;
        var acknowledged = new List<int>();
        HttpResponseMessage? refused = null;
        for (var trace = 1; trace <= 500 && refused is null; trace++)
        {
            var response = await SendAsync(trace);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                acknowledged.Add(trace);
                response.Dispose();
                await pipeline.WhenIdleAsync();
                _time.Advance(TimeSpan.FromSeconds(1));
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        Assert.True(acknowledged.Count >= 10, $"only {acknowledged.Count} requests were accepted before the push-back");
        Assert.Equal(0, _sink.SpanCount);
        return acknowledged;
    }

    // The backend comes back: retries deliver everything acknowledged, truncation drains the journal, and the node
    // takes requests again.
    private async Task BackendReturnsAsync(List<int> acknowledged)
    {
        var pipeline = (SamplingPipeline)Node.Pipeline;
        _sink.ClearScript();
        while (_sink.SpanCount < acknowledged.Count)
        {
            // Move the clock once the exporter waits on it: the pipeline's tick timer plus its backoff delay.
            await Poll.UntilAsync(() => _time.ArmedTimerCount >= 2 || _sink.SpanCount >= acknowledged.Count, "the exporter's backoff timer");
            _time.Advance(TimeSpan.FromSeconds(1));
            await pipeline.WhenIdleAsync();
        }

        await _sink.WaitForSpansAsync(acknowledged.Count);
        var delivered = _sink.Spans.Select(s => (int)s.TraceId[15]).ToHashSet();
        Assert.All(acknowledged, trace => Assert.Contains(trace, delivered));

        for (var round = 0; round < 3; round++)
        {
            _time.Advance(TimeSpan.FromSeconds(1.1));
            await pipeline.WhenIdleAsync();
        }

        using var accepted = await SendAsync(1000);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("", await ReadyzAsync());
    }

    // The reason /readyz gives for the journal check, or "" when the node is ready.
    private async Task<string> ReadyzAsync()
    {
        using var response = await _client.GetAsync(new Uri($"http://127.0.0.1:{Node.AdminEndpoint.Port}/readyz"));
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var journal = body.RootElement.GetProperty("checks").GetProperty("journal").GetString()!;
        Assert.Equal(journal == "ok" ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable, response.StatusCode);
        return journal == "ok" ? "" : journal;
    }
}
