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
    private SamplerNode _node = null!;

    public async Task InitializeAsync()
    {
        _sink = await OtlpTestSink.StartAsync();
        var options = TestNode.LoopbackOptions(_dataDir) with
        {
            PipelineMode = PipelineMode.Sample,
            Sharding = new ShardingOptions { Shards = 16, Workers = 1 },
            Sampling = new SamplingOptions { MaxSpansPerTrace = 1, Policies = new PolicySetOptions([new AlwaysSamplePolicyOptions("keep-all")]) },
            Journal = new JournalOptions
            {
                Backend = JournalBackend.Sqlite,
                Sync = JournalSync.Normal,
                SqlitePath = Path.Combine(_dataDir, "journal"),
                MaxJournalBytes = MaxJournalBytes,
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
        await _node.DisposeAsync();
        await _sink.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    // Polls an event of another thread (not a timer) with a deadline.
    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(int trace)
    {
        var content = new ByteArrayContent(OtlpSamples.Traces(OtlpSamples.Span(trace, 1)).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return await _client.PostAsync(new Uri($"http://127.0.0.1:{_node.HttpEndpoint.Port}/v1/traces"), content);
    }

    [Fact]
    public async Task Nothing_is_lost_and_clients_are_pushed_back_only_past_the_journal_limit()
    {
        _sink.FailNextGrpcCalls(100_000, GrpcStatusCode.Unavailable);
        var journal = _node.Services.GetRequiredService<JournalHolder>().Journal!.Journal;
        var pipeline = (SamplingPipeline)_node.Pipeline;

        // Accepted while the journal has room, however long the backend stays down.
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
        Assert.True(await journal.ApproximateSizeBytesAsync(CancellationToken.None) > MaxJournalBytes);
        Assert.Equal(0, _sink.SpanCount);

        // The backend comes back: retries deliver everything acknowledged, and the journal drains.
        _sink.ClearScript();
        while (_sink.SpanCount < acknowledged.Count)
        {
            // Move the clock once the exporter waits on it: the pipeline's tick timer plus its backoff delay.
            await WaitForAsync(() => _time.ArmedTimerCount >= 2 || _sink.SpanCount >= acknowledged.Count, "the exporter's backoff timer");
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
            foreach (var worker in pipeline.Workers)
            {
                await worker.TruncationAsync();
            }
        }

        Assert.True(await journal.ApproximateSizeBytesAsync(CancellationToken.None) < MaxJournalBytes);
        using var accepted = await SendAsync(1000);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }
}
