using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Hosting;
using OtelTailSampler.Persistence;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Hosting;

/// <summary>
/// A node with a journal, stopped and started again on the same journal: it resumes where it stopped.
/// Each backend runs the same tests.
/// </summary>
public abstract class JournaledNodeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly HttpClient _client = new();

    protected string DataDir { get; } = Directory.CreateTempSubdirectory("otel-sampler-journal-").FullName;

    protected abstract Task<JournalOptions> JournalAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        _client.Dispose();
        Directory.Delete(DataDir, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<(SamplerNode Node, ManualTimeProvider Time)> StartNodeAsync(CapturingExporter exporter, DateTimeOffset now, int maxSpansPerTrace = 10_000, PolicyOptions? policy = null)
    {
        var time = new ManualTimeProvider(now);
        var options = TestNode.LoopbackOptions(DataDir) with
        {
            PipelineMode = PipelineMode.Sample,
            Sharding = new ShardingOptions { Shards = 64 },
            Sampling = new SamplingOptions
            {
                MaxSpansPerTrace = maxSpansPerTrace,
                Policies = new PolicySetOptions([policy ?? new AlwaysSamplePolicyOptions("keep-all")]),
            },
            Journal = await JournalAsync(),
        };
        var node = SamplerNode.Create(options, _ => { }, exporter, time);
        await node.StartAsync();
        return (node, time);
    }

    private async Task SendAsync(SamplerNode node, params OpenTelemetry.Proto.Trace.V1.Span[] spans)
    {
        using var content = new ByteArrayContent(OtlpSamples.Traces(spans).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await _client.PostAsync(new Uri($"http://127.0.0.1:{node.HttpEndpoint.Port}/v1/traces"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await ((SamplingPipeline)node.Pipeline).WhenIdleAsync();
    }

    private static async Task AdvanceAsync(SamplerNode node, ManualTimeProvider time, TimeSpan delta)
    {
        time.Advance(delta);
        await ((SamplingPipeline)node.Pipeline).WhenIdleAsync();
    }

    private static IReadOnlyList<OpenTelemetry.Proto.Trace.V1.Span> Spans(CapturingExporter exporter) =>
        [.. exporter.Traces.SelectMany(r => r.ResourceSpans).SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans)];

    [Fact]
    public async Task Undecided_trace_resumes_its_timer_from_when_it_first_arrived()
    {
        var first = new CapturingExporter();
        var (node, _) = await StartNodeAsync(first, Start);
        await SendAsync(node, OtlpSamples.Span(1, 2, parent: 1), OtlpSamples.Span(1, 3, parent: 1));
        await node.DisposeAsync();
        Assert.Empty(first.Requests);

        // Twenty seconds later the node is back; the trace's 30 s decision-wait runs from its first arrival.
        var second = new CapturingExporter();
        var (restarted, time) = await StartNodeAsync(second, Start.AddSeconds(20));
        await using (restarted)
        {
            await AdvanceAsync(restarted, time, TimeSpan.FromSeconds(9.7));
            Assert.Empty(second.Requests);

            await AdvanceAsync(restarted, time, TimeSpan.FromSeconds(0.5));
            Assert.Equal(2, Spans(second).Count);
        }
    }

    [Fact]
    public async Task Kept_trace_not_yet_delivered_is_exported_again_and_a_delivered_one_is_not()
    {
        var first = new CapturingExporter();
        var (node, _) = await StartNodeAsync(first, Start, maxSpansPerTrace: 1);
        await SendAsync(node, OtlpSamples.Span(1, 1));
        first.WithholdDeliveries = true;
        await SendAsync(node, OtlpSamples.Span(2, 1));
        await node.DisposeAsync();
        Assert.Equal(2, Spans(first).Count);

        var second = new CapturingExporter();
        var (restarted, _) = await StartNodeAsync(second, Start.AddSeconds(5), maxSpansPerTrace: 1);
        await using (restarted)
        {
            var again = Assert.Single(Spans(second));
            Assert.Equal(OtlpSamples.TraceId(2), again.TraceId);
            Assert.Equal("keep-all", again.Attributes.Single(a => a.Key == "sampling.policy").Value.StringValue);
        }
    }

    [Fact]
    public async Task Late_span_after_a_restart_follows_the_decision_made_before_it()
    {
        var first = new CapturingExporter();
        var (node, _) = await StartNodeAsync(first, Start, maxSpansPerTrace: 1);
        await SendAsync(node, OtlpSamples.Span(4, 1));
        await node.DisposeAsync();

        var second = new CapturingExporter();
        var (restarted, _) = await StartNodeAsync(second, Start.AddSeconds(5), maxSpansPerTrace: 1000);
        await using (restarted)
        {
            await SendAsync(restarted, OtlpSamples.Span(4, 2, parent: 1));

            // Exported at once as a late span of a kept trace, not buffered as a new trace.
            var late = Assert.Single(Spans(second));
            Assert.Equal(OtlpSamples.SpanId(2), late.SpanId);
        }
    }

    [Fact]
    public async Task Late_span_after_a_restart_carries_the_adjusted_count_of_its_probabilistic_keep()
    {
        var half = new ProbabilisticPolicyOptions("half", 50, "salt");
        var first = new CapturingExporter();
        var (node, _) = await StartNodeAsync(first, Start, maxSpansPerTrace: 1, half);
        var random = new Random(3);
        for (var trace = 0; trace < 20; trace++)
        {
            var span = OtlpSamples.Span(1, 1);
            var id = new byte[16];
            random.NextBytes(id);
            span.TraceId = ByteString.CopyFrom(id);
            await SendAsync(node, span);
        }

        await node.DisposeAsync();
        var kept = Spans(first)[0];
        Assert.Equal(2.0, kept.Attributes.Single(a => a.Key == "sampling.adjusted_count").Value.DoubleValue);

        var second = new CapturingExporter();
        var (restarted, _) = await StartNodeAsync(second, Start.AddSeconds(5), maxSpansPerTrace: 1000, half);
        await using (restarted)
        {
            var lateSpan = OtlpSamples.Span(1, 2, parent: 1);
            lateSpan.TraceId = kept.TraceId;
            await SendAsync(restarted, lateSpan);

            var late = Assert.Single(Spans(second));
            Assert.Equal("half", late.Attributes.Single(a => a.Key == "sampling.policy").Value.StringValue);
            Assert.Equal(2.0, late.Attributes.Single(a => a.Key == "sampling.adjusted_count").Value.DoubleValue);
        }
    }

    [Fact]
    public async Task Journal_shrinks_back_once_traces_are_delivered()
    {
        var exporter = new CapturingExporter();
        var (node, time) = await StartNodeAsync(exporter, Start, maxSpansPerTrace: 1);
        await using (node)
        {
            var journal = node.Services.GetRequiredService<JournalHolder>().Journal!.Journal;
            for (var trace = 1; trace <= 40; trace++)
            {
                await SendAsync(node, OtlpSamples.Span(trace, 1));
            }

            var full = await journal.ApproximateSizeBytesAsync(CancellationToken.None);
            Assert.True(full > 40 * 50, $"journal holds {full} bytes");

            // Truncation runs every ten ticks; two rounds also take the completion events.
            for (var round = 0; round < 3; round++)
            {
                await AdvanceAsync(node, time, TimeSpan.FromSeconds(1.1));
                await WaitForTruncationAsync(node);
            }

            Assert.Equal(40, Spans(exporter).Count);
            var after = await journal.ApproximateSizeBytesAsync(CancellationToken.None);
            Assert.True(after < full / 10, $"journal still holds {after} of {full} bytes");
        }
    }

    // Truncation runs in the background of a tick; a barrier after the next tick waits for it.
    private static async Task WaitForTruncationAsync(SamplerNode node)
    {
        var pipeline = (SamplingPipeline)node.Pipeline;
        await pipeline.WhenIdleAsync();
        await pipeline.OutboxTruncationAsync();
    }

    [Fact]
    public async Task Logs_and_metrics_stay_journaled_until_delivered_and_are_not_sent_again_after()
    {
        // The backend takes them but never confirms: they are still in the journal when the node stops.
        var first = new CapturingExporter { WithholdDeliveries = true };
        var (node, _) = await StartNodeAsync(first, Start);
        await PostAsync(node, "/v1/logs", OtlpSamples.Logs(OtlpSamples.Log("held until delivered")));
        await PostAsync(node, "/v1/metrics", OtlpSamples.Metrics());
        Assert.Single(first.Logs);
        await node.DisposeAsync();

        // Sent again at the next start, delivered this time, then truncated.
        var second = new CapturingExporter();
        var (restarted, time) = await StartNodeAsync(second, Start.AddMinutes(1));
        await using (restarted)
        {
            Assert.Equal("held until delivered", Assert.Single(second.Logs).ResourceLogs.Single().ScopeLogs.Single().LogRecords.Single().Body.StringValue);
            Assert.Equal(OtlpSamples.Metrics(), Assert.Single(second.Metrics));
            await AdvanceAsync(restarted, time, TimeSpan.FromSeconds(1.1));
            await WaitForTruncationAsync(restarted);

            var journal = restarted.Services.GetRequiredService<JournalHolder>().Journal!.Journal;
            var left = new List<string>();
            await foreach (var journalEvent in journal.ReplayAllAsync())
            {
                left.Add(journalEvent.PersistenceId);
            }

            Assert.DoesNotContain(left, id => id.StartsWith("outbox-", StringComparison.Ordinal));
        }

        var third = new CapturingExporter();
        var (last, _) = await StartNodeAsync(third, Start.AddMinutes(2));
        await last.DisposeAsync();
        Assert.Empty(third.Requests);
    }

    private async Task PostAsync(SamplerNode node, string path, IMessage request)
    {
        using var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await _client.PostAsync(new Uri($"http://127.0.0.1:{node.HttpEndpoint.Port}{path}"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class SqliteJournaledNodeTests : JournaledNodeTests
{
    protected override Task<JournalOptions> JournalAsync() =>
        Task.FromResult(new JournalOptions { Backend = JournalBackend.Sqlite, Sync = JournalSync.Normal, SqlitePath = Path.Combine(DataDir, "journal") });
}

[Collection(OtelTailSampler.Tests.Persistence.PostgreSqlServerGroup.Name)]
public sealed class PostgreSqlJournaledNodeTests(OtelTailSampler.Tests.Persistence.PostgreSqlServerFixture server) : JournaledNodeTests
{
    private static int _databases;
    private string? _connectionString;

    protected override async Task<JournalOptions> JournalAsync()
    {
        _connectionString ??= await server.CreateDatabaseAsync($"node_{Interlocked.Increment(ref _databases)}_{Environment.ProcessId}");
        return new JournalOptions { Backend = JournalBackend.PostgreSql, PostgreSqlConnectionString = _connectionString };
    }
}
