using System.Net;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Otlp.Grpc;

/// <summary>OTLP/gRPC over real HTTP/2 sockets on loopback: good requests and every kind of bad one.</summary>
public sealed class OtlpGrpcReceiverTests : IAsyncLifetime
{
    private readonly CapturingExporter _exporter = new();
    private readonly GrpcTestClient _client = new();
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;
    private TestNode _node = null!;

    private static readonly string TracesPath = OtlpSignal.Traces.GrpcPath();

    public async Task InitializeAsync()
    {
        var options = TestNode.LoopbackOptions(_dataDir);
        options = options with { Receivers = options.Receivers with { GrpcMaxRecvMsgSize = 1024 * 1024 } };
        _node = await TestNode.StartAsync(options, _exporter);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Export_of_each_signal_is_accepted_and_passed_on_unchanged()
    {
        var traces = OtlpSamples.Traces(OtlpSamples.Span(1, 1), OtlpSamples.Span(1, 2, parent: 1));
        var metrics = OtlpSamples.Metrics();
        var logs = OtlpSamples.Logs(OtlpSamples.Log("hello", 1, 1));

        var replies = new[]
        {
            await _client.CallAsync(_node.GrpcUri, TracesPath, GrpcTestClient.Frame(traces.ToByteArray())),
            await _client.CallAsync(_node.GrpcUri, OtlpSignal.Metrics.GrpcPath(), GrpcTestClient.Frame(metrics.ToByteArray())),
            await _client.CallAsync(_node.GrpcUri, OtlpSignal.Logs.GrpcPath(), GrpcTestClient.Frame(logs.ToByteArray())),
        };

        Assert.All(replies, reply =>
        {
            Assert.Equal(HttpStatusCode.OK, reply.HttpStatus);
            Assert.Equal(GrpcStatusCode.Ok, reply.Status);
        });
        Assert.Null(ExportTraceServiceResponse.Parser.ParseFrom(GrpcTestClient.Unframe(replies[0].Body)).PartialSuccess);
        Assert.Equal(traces, Assert.Single(_exporter.Traces));
        Assert.Equal(metrics, Assert.Single(_exporter.Metrics));
        Assert.Equal(logs, Assert.Single(_exporter.Logs));
    }

    [Fact]
    public async Task Gzip_request_is_accepted()
    {
        var traces = OtlpSamples.Traces(OtlpSamples.Span(5, 1));

        var reply = await _client.CallAsync(_node.GrpcUri, TracesPath, GrpcTestClient.Frame(RequestBody.Gzip(traces.ToByteArray()), compressed: true), encoding: "gzip");

        Assert.Equal(GrpcStatusCode.Ok, reply.Status);
        Assert.Equal(traces, Assert.Single(_exporter.Traces));
    }

    [Fact]
    public async Task Wrong_trace_id_length_is_rejected_through_partial_success()
    {
        var bad = OtlpSamples.Span(2, 2);
        bad.TraceId = ByteString.CopyFrom(new byte[12]);
        var traces = OtlpSamples.Traces(OtlpSamples.Span(1, 1), bad);

        var reply = await _client.CallAsync(_node.GrpcUri, TracesPath, GrpcTestClient.Frame(traces.ToByteArray()));

        Assert.Equal(GrpcStatusCode.Ok, reply.Status);
        var partial = ExportTraceServiceResponse.Parser.ParseFrom(GrpcTestClient.Unframe(reply.Body)).PartialSuccess;
        Assert.Equal(1, partial.RejectedSpans);
        Assert.Contains("trace_id is 12 bytes", partial.ErrorMessage, StringComparison.Ordinal);
        var exported = Assert.Single(_exporter.Traces);
        Assert.Equal(OtlpSamples.SpanId(1), Assert.Single(exported.ResourceSpans[0].ScopeSpans[0].Spans).SpanId);
    }

    public static TheoryData<string, byte[], GrpcStatusCode> BadBodies()
    {
        var valid = OtlpSamples.Traces(OtlpSamples.Span(1, 1)).ToByteArray();
        var frame = GrpcTestClient.Frame(valid);
        var longer = (byte[])frame.Clone();
        GrpcProtocol.WriteFrameHeader(longer, compressed: false, valid.Length + 100);
        return new()
        {
            { "empty body", [], GrpcStatusCode.InvalidArgument },
            { "truncated header", frame[..3], GrpcStatusCode.InvalidArgument },
            { "truncated frame", frame[..^4], GrpcStatusCode.InvalidArgument },
            { "frame length larger than the body", longer, GrpcStatusCode.InvalidArgument },
            { "invalid protobuf", GrpcTestClient.Frame([0x0A, 0x7F, 0x01]), GrpcStatusCode.InvalidArgument },
            { "two frames", [.. frame, .. frame], GrpcStatusCode.InvalidArgument },
            { "oversize message", GrpcTestClient.Frame(new byte[(1024 * 1024) + 1]), GrpcStatusCode.ResourceExhausted },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_gets_its_status_and_the_node_keeps_serving(string what, byte[] body, GrpcStatusCode expected)
    {
        var reply = await _client.CallAsync(_node.GrpcUri, TracesPath, body);

        Assert.True(expected == reply.Status, $"{what}: expected {expected}, got {reply.Status} ({reply.Message})");
        Assert.Empty(_exporter.Requests);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Gzip_bomb_is_resource_exhausted()
    {
        var bomb = GzipBomb.Create(64 * 1024 * 1024);

        var reply = await _client.CallAsync(_node.GrpcUri, TracesPath, GrpcTestClient.Frame(bomb, compressed: true), encoding: "gzip");

        Assert.Equal(GrpcStatusCode.ResourceExhausted, reply.Status);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        var reply = await _client.CallAsync(_node.GrpcUri, "/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export", GrpcTestClient.Frame([]));

        Assert.Equal(GrpcStatusCode.Unimplemented, reply.Status);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Unsupported_compression_is_unimplemented()
    {
        var reply = await _client.CallAsync(_node.GrpcUri, TracesPath, GrpcTestClient.Frame([1, 2, 3], compressed: true), encoding: "snappy");

        Assert.Equal(GrpcStatusCode.Unimplemented, reply.Status);
    }

    [Fact]
    public async Task Wrong_content_type_is_refused()
    {
        var reply = await _client.CallAsync(_node.GrpcUri, TracesPath, GrpcTestClient.Frame([]), contentType: "application/json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, reply.HttpStatus);
    }

    [Fact]
    public async Task Full_buffers_answer_unavailable()
    {
        _exporter.Full = true;

        var reply = await _client.CallAsync(_node.GrpcUri, TracesPath, GrpcTestClient.Frame(OtlpSamples.Traces(OtlpSamples.Span(1, 1)).ToByteArray()));

        Assert.Equal(GrpcStatusCode.Unavailable, reply.Status);
    }

    private async Task AssertStillServingAsync()
    {
        var logs = OtlpSamples.Logs(OtlpSamples.Log("after"));
        var reply = await _client.CallAsync(_node.GrpcUri, OtlpSignal.Logs.GrpcPath(), GrpcTestClient.Frame(logs.ToByteArray()));
        Assert.Equal(GrpcStatusCode.Ok, reply.Status);
        Assert.Equal(logs, _exporter.Logs[^1]);
    }
}
