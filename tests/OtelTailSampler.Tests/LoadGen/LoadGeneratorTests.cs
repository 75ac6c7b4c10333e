using System.Net;
using System.Net.Sockets;
using OtelTailSampler.LoadGen;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.LoadGen;

/// <summary>Runs bounded by a batch count (never by time) against real nodes and scripted backends.</summary>
public sealed class LoadGeneratorTests : IDisposable
{
    private static readonly TrafficOptions Traffic = new() { SpansPerRequest = 100, MetricSeries = 20, MetricsEveryBatches = 4, LogsPerSpan = 0.5 };

    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-loadgen-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    private static LoadGenOptions Bounded(LoadGenProtocol protocol, int batches, params Uri[] endpoints) => new()
    {
        Endpoints = endpoints,
        Protocol = protocol,
        Duration = null,
        MaxBatches = batches,
        Concurrency = 3,
        Seed = 21,
        Traffic = Traffic,
        RetryBackoff = TimeSpan.Zero,
    };

    private static (int Spans, int Logs, int Points) Expected(LoadGenOptions options, Func<long, bool> include)
    {
        using var generator = new TrafficGenerator(new TrafficModel(options.Seed, options.Traffic));
        int spans = 0, logs = 0, points = 0;
        for (var i = 0L; i < options.MaxBatches; i++)
        {
            using var batch = generator.Generate(i);
            if (include(i))
            {
                spans += batch.Spans;
                logs += batch.LogRecords;
                points += batch.DataPoints;
            }
        }

        return (spans, logs, points);
    }

    private static (int Spans, int Logs, int Points) Received(CapturingExporter exporter) => (
        exporter.Traces.Sum(r => r.ResourceSpans.Sum(rs => rs.ScopeSpans.Sum(s => s.Spans.Count))),
        exporter.Logs.Sum(r => r.ResourceLogs.Sum(rl => rl.ScopeLogs.Sum(s => s.LogRecords.Count))),
        exporter.Metrics.SelectMany(r => r.ResourceMetrics).SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics)
            .Sum(m => (m.Sum?.DataPoints.Count ?? 0) + (m.Gauge?.DataPoints.Count ?? 0) + (m.Histogram?.DataPoints.Count ?? 0)));

    private static void AssertEverythingAcknowledged(LoadGenSummary summary, (int Spans, int Logs, int Points) expected)
    {
        Assert.Equal(expected.Spans, summary.Spans.Sent);
        Assert.Equal(expected.Spans, summary.Spans.Acknowledged);
        Assert.Equal(expected.Logs, summary.LogRecords.Acknowledged);
        Assert.Equal(expected.Points, summary.DataPoints.Acknowledged);
        Assert.True(summary.AllAcknowledged);
        Assert.Equal(0, summary.Retries);
        Assert.Empty(summary.Problems);
        Assert.True(summary.AckLatencyP99 >= summary.AckLatencyP50);
    }

    [Fact]
    public async Task Grpc_run_against_a_node_is_acknowledged_item_for_item()
    {
        var exporter = new CapturingExporter();
        await using var node = await TestNode.StartAsync(TestNode.LoopbackOptions(_dataDir), exporter);
        var options = Bounded(LoadGenProtocol.Grpc, 12, node.GrpcUri);

        using var generator = new LoadGenerator(options);
        var summary = await generator.RunAsync();

        var expected = Expected(options, _ => true);
        AssertEverythingAcknowledged(summary, expected);
        Assert.Equal(12, summary.Spans.Requests);
        Assert.Equal(summary.Spans.Requests + summary.LogRecords.Requests + summary.DataPoints.Requests, summary.AcknowledgedRequests);
        Assert.Equal(expected, Received(exporter));
        Assert.Contains("acknowledged", summary.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_run_goes_round_robin_over_several_nodes()
    {
        var first = new CapturingExporter();
        var second = new CapturingExporter();
        await using var one = await TestNode.StartAsync(TestNode.LoopbackOptions(Path.Combine(_dataDir, "1")), first);
        await using var two = await TestNode.StartAsync(TestNode.LoopbackOptions(Path.Combine(_dataDir, "2")), second);
        var options = Bounded(LoadGenProtocol.Http, 10, one.HttpUri, two.HttpUri);

        using var generator = new LoadGenerator(options);
        var summary = await generator.RunAsync();

        AssertEverythingAcknowledged(summary, Expected(options, _ => true));
        Assert.Equal(Expected(options, i => i % 2 == 0), Received(first));
        Assert.Equal(Expected(options, i => i % 2 == 1), Received(second));
    }

    [Fact]
    public async Task Open_loop_run_sends_the_same_traffic()
    {
        var exporter = new CapturingExporter();
        await using var node = await TestNode.StartAsync(TestNode.LoopbackOptions(_dataDir), exporter);

        // A rate far above what the batches need: every batch is due at once, so nothing waits on the clock.
        var options = Bounded(LoadGenProtocol.Grpc, 6, node.GrpcUri) with { Rate = 1e12 };
        using var generator = new LoadGenerator(options);
        var summary = await generator.RunAsync();

        AssertEverythingAcknowledged(summary, Expected(options, _ => true));
        Assert.Equal(Expected(options, _ => true), Received(exporter));
    }

    [Fact]
    public async Task Unavailable_answers_are_retried_and_counted()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        sink.FailNextGrpcCalls(2, GrpcStatusCode.Unavailable, "busy");
        var options = Bounded(LoadGenProtocol.Grpc, 1, sink.GrpcEndpoint) with { Concurrency = 1, Traffic = Traffic with { LogsPerSpan = 0, MetricSeries = 0 } };

        using var generator = new LoadGenerator(options);
        var summary = await generator.RunAsync();

        Assert.Equal(2, summary.Retries);
        Assert.Equal(summary.Spans.Sent, summary.Spans.Acknowledged);
        Assert.Equal(summary.Spans.Sent, sink.SpanCount);
    }

    [Fact]
    public async Task Pushback_that_outlasts_the_attempts_is_counted_as_rejected()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        sink.FailNextHttpCalls(3, HttpStatusCode.ServiceUnavailable);
        var options = Bounded(LoadGenProtocol.Http, 1, sink.HttpEndpoint) with
        {
            Concurrency = 1, MaxAttempts = 3, Traffic = Traffic with { LogsPerSpan = 0, MetricSeries = 0 },
        };

        using var generator = new LoadGenerator(options);
        var summary = await generator.RunAsync();

        Assert.Equal(2, summary.Retries);
        Assert.Equal(0, summary.Spans.Acknowledged);
        Assert.Equal(summary.Spans.Sent, summary.Spans.Rejected);
        var problem = Assert.Single(summary.Problems);
        Assert.Contains("503", problem.Problem, StringComparison.Ordinal);
        Assert.Equal(summary.Spans.Sent, problem.Count);
    }

    [Fact]
    public async Task Partial_success_and_permanent_errors_are_rejected_without_retry()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        sink.PartiallyAcceptNextCalls(OtlpSinkTransport.Http, 1, 7, "seven bad spans");
        var options = Bounded(LoadGenProtocol.Http, 2, sink.HttpEndpoint) with { Concurrency = 1, Traffic = Traffic with { LogsPerSpan = 0, MetricSeries = 0 } };
        using (var generator = new LoadGenerator(options))
        {
            var summary = await generator.RunAsync();
            Assert.Equal(7, summary.Spans.Rejected);
            Assert.Equal(summary.Spans.Sent - 7, summary.Spans.Acknowledged);
            Assert.Contains(summary.Problems, p => p.Problem.Contains("seven bad spans", StringComparison.Ordinal) && p.Count == 7);
        }

        sink.FailNextHttpCalls(1, HttpStatusCode.BadRequest);
        using (var generator = new LoadGenerator(options with { MaxBatches = 1 }))
        {
            var summary = await generator.RunAsync();
            Assert.Equal(0, summary.Retries);
            Assert.Equal(summary.Spans.Sent, summary.Spans.Rejected);
        }
    }

    [Fact]
    public async Task Unreachable_endpoint_fails_every_item_after_its_attempts()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = Bounded(LoadGenProtocol.Grpc, 2, new Uri($"http://127.0.0.1:{port}")) with { MaxAttempts = 2 };

        using var generator = new LoadGenerator(options);
        var summary = await generator.RunAsync();

        var sent = summary.Spans.Sent + summary.LogRecords.Sent + summary.DataPoints.Sent;
        Assert.True(sent > 0);
        Assert.Equal(sent, summary.Spans.Failed + summary.LogRecords.Failed + summary.DataPoints.Failed);
        Assert.Equal(summary.Spans.Requests + summary.LogRecords.Requests + summary.DataPoints.Requests, summary.Retries);
        Assert.False(summary.AllAcknowledged);
    }

    [Fact]
    public void Options_without_an_end_are_refused()
    {
        var options = new LoadGenOptions { Duration = null, MaxBatches = null };

        Assert.Throws<ArgumentException>(options.Validate);
    }
}
