using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Rpc;
using Status = Google.Rpc.Status;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OpenTelemetry.Trace;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Tests.Support;
using SdkProtocol = OpenTelemetry.Exporter.OtlpExportProtocol;

namespace OtelTailSampler.Tests.Export.Otlp;

/// <summary>
/// The sink is the trusted side of the exporter tests, so it is checked against clients that share nothing with
/// the project: the OpenTelemetry .NET SDK's own OTLP exporter and hand-built requests.
/// </summary>
public sealed class OtlpTestSinkTests
{
    [Fact]
    public async Task Sdk_grpc_exporter_delivers_spans_to_the_sink()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        var source = $"sink-test-{Guid.NewGuid():N}";
        using var activitySource = new ActivitySource(source);
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = sink.GrpcEndpoint;
                o.Protocol = SdkProtocol.Grpc;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build())
        {
            using (activitySource.StartActivity("first"))
            {
            }

            using (activitySource.StartActivity("second"))
            {
            }
        }

        await sink.WaitForSpansAsync(2);
        Assert.Equal(["first", "second"], sink.Spans.Select(s => s.Name));
        Assert.All(sink.Calls, c => Assert.Equal(OtlpSinkTransport.Grpc, c.Transport));
    }

    [Fact]
    public async Task Sdk_http_exporter_delivers_metrics_to_the_sink()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        var meterName = $"sink-test-{Guid.NewGuid():N}";
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("requests");
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meterName)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(sink.HttpEndpoint, "/v1/metrics");
                o.Protocol = SdkProtocol.HttpProtobuf;
            })
            .Build())
        {
            counter.Add(3, new KeyValuePair<string, object?>("route", "/a"));
            counter.Add(4, new KeyValuePair<string, object?>("route", "/b"));
            provider.ForceFlush();
        }

        await sink.WaitForMetricPointsAsync(2);
        // Disposing the provider exports once more (cumulative), so look at the first export.
        var metric = sink.Metrics.First(m => m.Name == "requests");
        Assert.Equal(7, metric.Sum.DataPoints.Sum(p => p.AsInt));
        Assert.Equal(OtlpSinkTransport.Http, sink.Calls[0].Transport);
    }

    [Fact]
    public async Task Gzip_http_request_is_decoded()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        using var client = new HttpClient();
        using var content = new ByteArrayContent(Gzip(Logs("hello").ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await client.PostAsync(new Uri(sink.HttpEndpoint, "/v1/logs"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello", Assert.Single(sink.LogRecords).Body.StringValue);
        Assert.Equal("gzip", Assert.Single(sink.Calls).Encoding);
    }

    [Fact]
    public async Task Gzip_grpc_request_is_decoded_and_answered_in_trailers()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        using var client = new HttpClient();

        using var response = await CallGrpcAsync(client, sink, Gzip(Traces("span").ToByteArray()), compressed: true);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Equal(5, body.Length); // an empty ExportTraceServiceResponse in its frame
        Assert.Equal("span", Assert.Single(sink.Spans).Name);
        Assert.Equal("gzip", Assert.Single(sink.Calls).Encoding);
    }

    [Fact]
    public async Task Scripted_grpc_failure_carries_status_and_retry_info_then_the_next_call_succeeds()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        sink.FailNextGrpcCalls(1, GrpcStatusCode.ResourceExhausted, "slow down", retryDelay: TimeSpan.FromSeconds(2));
        using var client = new HttpClient();

        using (var failed = await CallGrpcAsync(client, sink, Traces("span").ToByteArray(), compressed: false))
        {
            Assert.Equal("8", failed.Headers.GetValues("grpc-status").Single());
            Assert.Equal("slow down", failed.Headers.GetValues("grpc-message").Single());
            var details = failed.Headers.GetValues("grpc-status-details-bin").Single();
            var status = Status.Parser.ParseFrom(Convert.FromBase64String(details.PadRight((details.Length + 3) / 4 * 4, '=')));
            Assert.Equal(TimeSpan.FromSeconds(2), status.Details.Single().Unpack<RetryInfo>().RetryDelay.ToTimeSpan());
        }

        using (var succeeded = await CallGrpcAsync(client, sink, Traces("span").ToByteArray(), compressed: false))
        {
            await succeeded.Content.ReadAsByteArrayAsync();
            Assert.Equal("0", succeeded.TrailingHeaders.GetValues("grpc-status").Single());
        }

        Assert.Equal(2, sink.GrpcCallCount);
        Assert.Equal(1, sink.SpanCount);
        Assert.Equal(["RESOURCE_EXHAUSTED", "OK"], sink.Calls.Select(c => c.Answer));
    }

    [Fact]
    public async Task Scripted_http_failure_carries_retry_after_and_a_status_body()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        sink.FailNextHttpCalls(1, HttpStatusCode.ServiceUnavailable, retryAfter: "3", message: "busy");
        using var client = new HttpClient();
        using var content = new ByteArrayContent(Logs("x").ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        using var response = await client.PostAsync(new Uri(sink.HttpEndpoint, "/v1/logs"), content);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        Assert.Equal("busy", Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).Message);
        Assert.Equal(0, sink.LogRecordCount);
        Assert.Equal(1, sink.HttpCallCount);
    }

    [Fact]
    public async Task Waiting_for_more_than_arrived_times_out_with_an_account()
    {
        await using var sink = await OtlpTestSink.StartAsync();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => sink.WaitForSpansAsync(1, TimeSpan.FromMilliseconds(50)));

        Assert.Contains("0 calls", error.Message, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> CallGrpcAsync(HttpClient client, OtlpTestSink sink, byte[] message, bool compressed)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), message.Length);
        message.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(sink.GrpcEndpoint, "/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (compressed)
        {
            request.Headers.Add("grpc-encoding", "gzip");
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static ExportTraceServiceRequest Traces(string name) => new()
    {
        ResourceSpans =
        {
            new ResourceSpans
            {
                Resource = new Resource(),
                ScopeSpans = { new ScopeSpans { Spans = { new Span { Name = name, TraceId = ByteString.CopyFrom(new byte[16]) } } } },
            },
        },
    };

    private static ExportLogsServiceRequest Logs(string body) => new()
    {
        ResourceLogs =
        {
            new ResourceLogs { ScopeLogs = { new ScopeLogs { LogRecords = { new LogRecord { Body = new AnyValue { StringValue = body } } } } } },
        },
    };
}
