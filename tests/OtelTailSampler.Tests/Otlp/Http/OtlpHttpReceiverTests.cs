using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Json;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Otlp.Http;

/// <summary>OTLP/HTTP over real sockets on loopback: protobuf and JSON, gzip, and every kind of bad request.</summary>
public sealed class OtlpHttpReceiverTests : IAsyncLifetime
{
    private const int Limit = 256 * 1024;
    private readonly CapturingExporter _exporter = new();
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        var options = TestNode.LoopbackOptions(_dataDir);
        options = options with { Receivers = options.Receivers with { HttpMaxRequestBodySize = Limit } };
        _node = await TestNode.StartAsync(options, _exporter);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    private Task<HttpResponseMessage> PostAsync(string path, byte[] body, string contentType, string? encoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        return _client.PostAsync(new Uri(_node.HttpUri, path), content);
    }

    [Fact]
    public async Task Protobuf_request_is_accepted_with_a_protobuf_response()
    {
        var traces = OtlpSamples.Traces(OtlpSamples.Span(1, 1));

        using var response = await PostAsync("/v1/traces", traces.ToByteArray(), "application/x-protobuf");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).PartialSuccess);
        Assert.Equal(traces, Assert.Single(_exporter.Traces));
    }

    [Fact]
    public async Task Json_and_protobuf_carrying_the_same_data_produce_the_same_export()
    {
        var traces = OtlpSamples.Traces(OtlpSamples.Span(1, 1), OtlpSamples.Span(1, 2, parent: 1));
        var metrics = OtlpSamples.Metrics();
        var logs = OtlpSamples.Logs(OtlpSamples.Log("hello", 1, 2));

        foreach (var (path, message) in new (string, IMessage)[] { ("/v1/traces", traces), ("/v1/metrics", metrics), ("/v1/logs", logs) })
        {
            using var proto = await PostAsync(path, message.ToByteArray(), "application/x-protobuf");
            using var json = await PostAsync(path, Encoding.UTF8.GetBytes(OtlpJson.Format(message)), "application/json; charset=utf-8");
            Assert.Equal(HttpStatusCode.OK, proto.StatusCode);
            Assert.Equal(HttpStatusCode.OK, json.StatusCode);
            Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        }

        var requests = _exporter.Requests;
        Assert.Equal(6, requests.Count);
        for (var i = 0; i < 6; i += 2)
        {
            Assert.Equal(requests[i].Signal, requests[i + 1].Signal);
            Assert.Equal(requests[i].Request, requests[i + 1].Request);
        }
    }

    [Fact]
    public async Task Hand_written_json_with_hex_ids_is_accepted()
    {
        const string json = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},
             "scopeSpans":[{"scope":{"name":"manual"},"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
             "name":"GET /cart","kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,
             "attributes":[{"key":"http.status_code","value":{"intValue":"200"}}],"status":{"code":1}}]}]}]}
            """;

        using var response = await PostAsync("/v1/traces", Encoding.UTF8.GetBytes(json), "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var span = Assert.Single(_exporter.Traces).ResourceSpans[0].ScopeSpans[0].Spans[0];
        Assert.Equal("5b8efff798038103d269b633813fc60c", Convert.ToHexStringLower(span.TraceId.Span));
        Assert.Equal(1544712661000000000UL, span.EndTimeUnixNano);
        Assert.Equal(200, span.Attributes[0].Value.IntValue);
    }

    [Fact]
    public async Task Gzip_body_is_inflated()
    {
        var logs = OtlpSamples.Logs(OtlpSamples.Log("zipped"));

        using var response = await PostAsync("/v1/logs", RequestBody.Gzip(logs.ToByteArray()), "application/x-protobuf", "gzip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(logs, Assert.Single(_exporter.Logs));
    }

    [Fact]
    public async Task Wrong_span_id_length_is_rejected_through_partial_success_in_json()
    {
        var bad = OtlpSamples.Span(2, 2);
        bad.SpanId = ByteString.CopyFrom(new byte[3]);
        var traces = OtlpSamples.Traces(OtlpSamples.Span(1, 1), bad);

        using var response = await PostAsync("/v1/traces", Encoding.UTF8.GetBytes(OtlpJson.Format(traces)), "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = OtlpJson.Parse<ExportTraceServiceResponse>(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, reply.PartialSuccess.RejectedSpans);
        Assert.Contains("span_id is 3 bytes", reply.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Single(Assert.Single(_exporter.Traces).ResourceSpans[0].ScopeSpans[0].Spans);
    }

    public static TheoryData<string, byte[], string, string?, HttpStatusCode> BadRequests() => new()
    {
        { "invalid protobuf", [0x0A, 0x7F, 0x01], "application/x-protobuf", null, HttpStatusCode.BadRequest },
        { "invalid json", "{\"resourceSpans\": [ {"u8.ToArray(), "application/json", null, HttpStatusCode.BadRequest },
        { "non-hex trace id", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"zz\"}]}]}]}"u8.ToArray(), "application/json", null, HttpStatusCode.BadRequest },
        { "wrong content type", [1, 2, 3], "text/plain", null, HttpStatusCode.UnsupportedMediaType },
        { "unknown content encoding", [1, 2, 3], "application/x-protobuf", "br", HttpStatusCode.UnsupportedMediaType },
        { "corrupt gzip", [0x1F, 0x8B, 0x08, 0, 1, 2, 3], "application/x-protobuf", "gzip", HttpStatusCode.BadRequest },
        { "oversize body", new byte[Limit + 1], "application/x-protobuf", null, HttpStatusCode.RequestEntityTooLarge },
        { "gzip bomb", GzipBomb.Create(64 * 1024 * 1024), "application/x-protobuf", "gzip", HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_gets_its_status_with_a_status_body_and_the_node_keeps_serving(string what, byte[] body, string contentType, string? encoding, HttpStatusCode expected)
    {
        using var response = await PostAsync("/v1/traces", body, contentType, encoding);

        Assert.True(expected == response.StatusCode, $"{what}: expected {expected}, got {response.StatusCode}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var status = response.Content.Headers.ContentType?.MediaType == "application/json"
            ? OtlpJson.Parse<Google.Rpc.Status>(bytes)
            : Google.Rpc.Status.Parser.ParseFrom(bytes);
        Assert.False(string.IsNullOrEmpty(status.Message), $"{what}: the Status body has no message");
        Assert.Empty(_exporter.Requests);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Oversize_chunked_body_without_content_length_is_refused()
    {
        using var content = new StreamContent(new MemoryStream(new byte[Limit * 2]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_node.HttpUri, "/v1/traces")) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Get_is_method_not_allowed()
    {
        using var response = await _client.GetAsync(new Uri(_node.HttpUri, "/v1/metrics"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Unknown_path_is_not_found()
    {
        using var response = await PostAsync("/v1/profiles", [], "application/x-protobuf");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Full_buffers_answer_503_with_retry_after()
    {
        _exporter.Full = true;

        using var response = await PostAsync("/v1/traces", OtlpSamples.Traces(OtlpSamples.Span(1, 1)).ToByteArray(), "application/x-protobuf");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }

    private async Task AssertStillServingAsync()
    {
        var logs = OtlpSamples.Logs(OtlpSamples.Log("after"));
        using var response = await PostAsync("/v1/logs", logs.ToByteArray(), "application/x-protobuf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(logs, _exporter.Logs[^1]);
    }
}
