using System.Net.Http.Headers;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Tests.Support;
using Xunit.Abstractions;

namespace OtelTailSampler.Tests.EndToEnd;

/// <summary>
/// "A 200 means it is in the journal", for metrics and logs as for spans, with real processes: while the backend
/// refuses everything, a node acknowledges log records and metric points; it is stopped with SIGTERM (and says what
/// it leaves in the journal, never that it dropped anything), restarted, killed with SIGKILL, restarted again, and
/// once the backend takes data again every acknowledged item arrives.
/// </summary>
public sealed class DurableLogsAndMetricsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-durable-").FullName;
    private OtlpTestSink _sink = null!;

    public async Task InitializeAsync() => _sink = await OtlpTestSink.StartAsync();

    public async Task DisposeAsync()
    {
        await _sink.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Logs_and_metrics_acknowledged_while_the_backend_refuses_survive_sigterm_and_sigkill()
    {
        // The backend is down until the test says otherwise.
        _sink.FailNextGrpcCalls(1_000_000, GrpcStatusCode.Unavailable, "backend is down");
        var config = Path.Combine(_directory, "durable.conf");
        await File.WriteAllTextAsync(config, """
            sampler {
              node.shutdown-timeout = 2s
              sampling {
                max-spans-per-trace = 1
                policies = [{ name = keep-all, type = always-sample }]
              }
              exporters.otlp {
                batch.timeout = 0s
                retry-on-failure { initial-interval = 100ms, max-interval = 200ms, max-elapsed-time = 1s }
              }
            }
            """);
        var environment = SamplerProcess.LoopbackEnvironment();
        environment["SAMPLER_EXPORTER_ENDPOINT"] = _sink.GrpcEndpoint.ToString();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var logs = new HashSet<string>();
        var points = new HashSet<string>();

        // First life: acknowledged, then SIGTERM while the backend still refuses.
        string stopped;
        using (var node = SamplerProcess.Start(_directory, environment, "--config", config))
        {
            var ports = await node.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            await SendAsync(client, ports.Http, first: 0, count: 6, logs, points);
            await SendTraceAsync(client, ports.Http);
            Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(60)));
            stopped = node.StandardOutput + node.StandardError;
        }

        output.WriteLine(stopped);
        Assert.Contains("left 1 spans, 6 log records, 6 metric points in the journal for the next start", stopped, StringComparison.Ordinal);
        Assert.DoesNotContain("dropped", stopped, StringComparison.OrdinalIgnoreCase);

        // Second life: what the first left is still refused; more is acknowledged, then the process is killed.
        using (var node = SamplerProcess.Start(_directory, environment, "--config", config))
        {
            var ports = await node.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            await SendAsync(client, ports.Http, first: 6, count: 6, logs, points);
            await node.KillAsync();
        }

        // Third life: the backend is back, and receives every acknowledged item.
        Assert.Equal(0, _sink.LogRecordCount + _sink.MetricPointCount);
        _sink.ClearScript();
        using (var node = SamplerProcess.Start(_directory, environment, "--config", config))
        {
            await node.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            await _sink.WaitUntilAsync(
                sink => logs.IsSubsetOf(LogBodies(sink)) && points.IsSubsetOf(MetricNames(sink)) && sink.SpanCount >= 1,
                "every acknowledged log record, metric point and span");
            Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("everything acknowledged was delivered", node.StandardOutput, StringComparison.Ordinal);
        }

        output.WriteLine($"acknowledged {logs.Count} log records and {points.Count} metric points; the backend got {_sink.LogRecordCount} and {_sink.MetricPointCount}");
    }

    // Each request carries one log record and one metric point, with names unique to the test.
    private static async Task SendAsync(HttpClient client, int port, int first, int count, HashSet<string> logs, HashSet<string> points)
    {
        for (var i = first; i < first + count; i++)
        {
            var body = $"durable log {i}";
            var logRequest = OtlpSamples.Logs(OtlpSamples.Log(body));
            var metricRequest = Gauge($"durable.metric.{i}");
            Assert.True(await PostAsync(client, port, "/v1/logs", logRequest), $"log request {i} was not acknowledged");
            logs.Add(body);
            Assert.True(await PostAsync(client, port, "/v1/metrics", metricRequest), $"metric request {i} was not acknowledged");
            points.Add($"durable.metric.{i}");
        }
    }

    private static async Task SendTraceAsync(HttpClient client, int port) =>
        Assert.True(await PostAsync(client, port, "/v1/traces", OtlpSamples.Traces(OtlpSamples.Span(7, 1))), "the trace request was not acknowledged");

    private static async Task<bool> PostAsync(HttpClient client, int port, string path, IMessage request)
    {
        using var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await client.PostAsync(new Uri($"http://127.0.0.1:{port}{path}"), content);
        return response.IsSuccessStatusCode;
    }

    private static ExportMetricsServiceRequest Gauge(string name) => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics
            {
                Resource = OtlpSamples.ServiceResource("durable"),
                ScopeMetrics =
                {
                    new ScopeMetrics
                    {
                        Metrics =
                        {
                            new Metric
                            {
                                Name = name,
                                Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsInt = 1, TimeUnixNano = 1_700_000_000_000_000_000 } } },
                            },
                        },
                    },
                },
            },
        },
    };

    private static HashSet<string> LogBodies(OtlpTestSink sink) => [.. sink.LogRecords.Select(record => record.Body.StringValue)];

    private static HashSet<string> MetricNames(OtlpTestSink sink) => [.. sink.Metrics.Select(metric => metric.Name)];
}
