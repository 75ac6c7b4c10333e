using System.Net;
using Google.Protobuf;
using OpenTelemetry.Proto.Metrics.V1;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Hosting;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Hosting;

public sealed class SelfTelemetryOtlpTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task The_node_pushes_its_own_metrics_to_the_telemetry_endpoint(OtlpExportProtocol protocol)
    {
        await using var sink = await OtlpTestSink.StartAsync();
        var options = TestNode.LoopbackOptions(_dataDir) with
        {
            Telemetry = new TelemetryOptions
            {
                OtlpEndpoint = protocol == OtlpExportProtocol.Grpc ? sink.GrpcEndpoint : sink.HttpEndpoint,
                OtlpProtocol = protocol,
                Interval = TimeSpan.FromMilliseconds(200),
            },
        };
        await using var node = await TestNode.StartAsync(options, new CapturingExporter());

        using var client = new HttpClient();
        using var content = new ByteArrayContent(OtlpSamples.Traces(OtlpSamples.Span(1, 1), OtlpSamples.Span(1, 2, parent: 1)).ToByteArray());
        content.Headers.ContentType = new("application/x-protobuf");
        using var response = await client.PostAsync(new Uri(node.HttpUri, "/v1/traces"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The SDK's periodic reader pushes every 200 ms; this waits for the push that has both spans counted.
        await sink.WaitUntilAsync(s => AcceptedTraceItems(s).Contains(2), "otelsampler.receiver.accepted_items{signal=traces} = 2");

        var pushed = sink.MetricsRequests.SelectMany(r => r.ResourceMetrics).ToList();
        Assert.Contains(pushed, r => r.Resource.Attributes.Any(a => a.Key == "service.name" && a.Value.StringValue == "otel-tail-sampler"));
        var names = pushed.SelectMany(r => r.ScopeMetrics).Where(s => s.Scope.Name == "OtelTailSampler").SelectMany(s => s.Metrics).Select(m => m.Name).ToHashSet();
        Assert.Contains("otelsampler.receiver.accepted_items", names);
        Assert.All(sink.Calls, call => Assert.Equal(protocol == OtlpExportProtocol.Grpc ? "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export" : "/v1/metrics", call.Path));
    }

    private static IEnumerable<long> AcceptedTraceItems(OtlpTestSink sink) =>
        sink.Metrics
            .Where(m => m.Name == "otelsampler.receiver.accepted_items" && m.DataCase == Metric.DataOneofCase.Sum)
            .SelectMany(m => m.Sum.DataPoints)
            .Where(p => p.Attributes.Any(a => a.Key == "signal" && a.Value.StringValue == "traces"))
            .Select(p => p.AsInt);
}
