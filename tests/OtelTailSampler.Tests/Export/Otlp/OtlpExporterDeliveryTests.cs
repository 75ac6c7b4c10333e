using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Export.Otlp;

public sealed class OtlpExporterDeliveryTests
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc, OtlpExportCompression.Gzip)]
    [InlineData(OtlpExportProtocol.Grpc, OtlpExportCompression.None)]
    [InlineData(OtlpExportProtocol.HttpProtobuf, OtlpExportCompression.Gzip)]
    [InlineData(OtlpExportProtocol.HttpProtobuf, OtlpExportCompression.None)]
    public async Task Exports_spans_metrics_and_logs_intact(OtlpExportProtocol protocol, OtlpExportCompression compression)
    {
        await using var harness = await OtlpExporterHarness.StartAsync(protocol, o => o with { Compression = compression });
        var traces = OtlpTestData.Traces("checkout", spans: 3);
        var metrics = OtlpTestData.Metrics("checkout");
        var logs = OtlpTestData.Logs("checkout", records: 2);

        Assert.True(harness.Enqueue(traces));
        Assert.True(harness.Enqueue(metrics));
        Assert.True(harness.Enqueue(logs));
        await harness.FlushAsync();

        var sink = harness.Sink;
        Assert.Equal(traces, Assert.Single(sink.TraceRequests));
        Assert.Equal(metrics, Assert.Single(sink.MetricsRequests));
        Assert.Equal(logs, Assert.Single(sink.LogsRequests));
        var transport = protocol == OtlpExportProtocol.Grpc ? OtlpSinkTransport.Grpc : OtlpSinkTransport.Http;
        Assert.All(sink.Calls, call =>
        {
            Assert.Equal(transport, call.Transport);
            Assert.Equal(compression == OtlpExportCompression.Gzip ? "gzip" : null, call.Encoding);
        });
        Assert.Equal(3, harness.Metrics.Exported(OtlpSignal.Traces));
        Assert.Equal(3, harness.Metrics.Exported(OtlpSignal.Metrics));
        Assert.Equal(2, harness.Metrics.Exported(OtlpSignal.Logs));
        Assert.Equal(0, harness.Metrics.Dropped(OtlpSignal.Traces));
    }

    [Fact]
    public async Task Gzip_actually_shrinks_the_body()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc);
        var traces = OtlpTestData.Traces("repetitive", spans: 50);

        harness.Enqueue(traces);
        await harness.FlushAsync();

        var call = Assert.Single(harness.Sink.Calls);
        Assert.True(call.BodyBytes < traces.CalculateSize() / 2, $"{call.BodyBytes} bytes on the wire for {traces.CalculateSize()}");
        Assert.Equal(traces, Assert.Single(harness.Sink.TraceRequests));
    }

    [Fact]
    public async Task Grpc_calls_carry_the_protocol_headers_and_configured_metadata()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.Grpc,
            o => o with { Headers = new Dictionary<string, string> { ["x-tenant"] = "acme" } });

        harness.Enqueue(OtlpTestData.Logs("svc", 1));
        await harness.FlushAsync();

        var call = Assert.Single(harness.Sink.Calls);
        Assert.Equal(OtlpSignal.Logs, call.Signal);
        Assert.Equal("/opentelemetry.proto.collector.logs.v1.LogsService/Export", call.Path);
        Assert.Equal("application/grpc", call.Headers["content-type"]);
        Assert.Equal("trailers", call.Headers["te"]);
        Assert.Equal("10000m", call.Headers["grpc-timeout"]);
        Assert.Equal("gzip", call.Headers["grpc-encoding"]);
        Assert.Equal("acme", call.Headers["x-tenant"]);
    }

    [Fact]
    public async Task Http_posts_protobuf_to_the_signal_path_with_configured_headers()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.HttpProtobuf,
            o => o with { Headers = new Dictionary<string, string> { ["authorization"] = "Bearer t0ken" } });

        harness.Enqueue(OtlpTestData.Metrics("svc"));
        await harness.FlushAsync();

        var call = Assert.Single(harness.Sink.Calls);
        Assert.Equal("/v1/metrics", call.Path);
        Assert.Equal("application/x-protobuf", call.Headers["content-type"]);
        Assert.Equal("gzip", call.Headers["content-encoding"]);
        Assert.Equal("Bearer t0ken", call.Headers["authorization"]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/traces")]
    [InlineData("http://127.0.0.1:4318/", "http://127.0.0.1:4318/v1/traces")]
    [InlineData("https://collector.example:443/otlp/", "https://collector.example/otlp/v1/traces")]
    public void Http_signal_path_is_appended_to_the_endpoint_path(string endpoint, string expected) =>
        Assert.Equal(new Uri(expected), OtlpHttpSender.SignalUri(new Uri(endpoint), OtlpSignal.Traces));

    [Theory]
    [InlineData(OtlpSinkTransport.Grpc)]
    [InlineData(OtlpSinkTransport.Http)]
    public async Task Partial_success_is_not_retried_and_counts_the_rejected_items_as_dropped(OtlpSinkTransport transport)
    {
        var protocol = transport == OtlpSinkTransport.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        await using var harness = await OtlpExporterHarness.StartAsync(protocol);
        harness.Sink.PartiallyAcceptNextCalls(transport, 1, rejected: 1, "one span was too old");

        harness.Enqueue(OtlpTestData.Traces("svc", spans: 3));
        await harness.FlushAsync();

        Assert.Single(harness.Sink.Calls);
        Assert.Equal(2, harness.Metrics.Exported(OtlpSignal.Traces));
        Assert.Equal(1, harness.Metrics.Dropped(OtlpSignal.Traces));
        Assert.Equal(0, harness.Metrics.Retries(OtlpSignal.Traces));
        var error = Assert.Single(harness.Log.At(LogLevel.Error));
        Assert.Equal("Dropped 1 of 3 spans: the backend rejected them: one span was too old", error);
    }

    [Fact]
    public async Task Empty_requests_are_never_sent()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc);

        Assert.True(harness.Exporter.TryEnqueue(OtlpSignal.Traces, ReadOnlyMemory<byte>.Empty, 0));
        await harness.FlushAsync();
        await harness.Exporter.DisposeAsync();

        Assert.Empty(harness.Sink.Calls);
    }

    [Fact]
    public async Task Flush_with_nothing_queued_completes_at_once()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc, o => o with { BatchDelay = TimeSpan.FromHours(1) });

        Assert.True(harness.Exporter.FlushAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Dispose_delivers_what_is_queued_then_refuses_more()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.HttpProtobuf, o => o with { BatchDelay = TimeSpan.FromHours(1) });
        var logs = OtlpTestData.Logs("svc", records: 4);

        harness.Enqueue(logs);
        await harness.Exporter.DisposeAsync().AsTask().WaitAsync(OtlpExporterHarness.Patience);

        Assert.Equal(logs, Assert.Single(harness.Sink.LogsRequests));
        Assert.False(harness.Enqueue(OtlpTestData.Logs("late", records: 1)));
    }

    [Fact]
    public async Task Invalid_options_are_refused_at_construction()
    {
        await using var sink = await OtlpTestSink.StartAsync();

        var error = Assert.ThrowsAny<ArgumentException>(() => new OtlpExporter(new OtlpExporterOptions { Endpoint = sink.GrpcEndpoint, QueueCapacity = 0 }));

        Assert.Equal("QueueCapacity", error.ParamName);
    }
}
