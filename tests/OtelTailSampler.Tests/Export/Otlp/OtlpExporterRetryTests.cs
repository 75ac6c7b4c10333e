using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Export.Otlp;

public sealed class OtlpExporterRetryTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Retries_unavailable_twice_then_succeeds(bool trailersOnly)
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc);
        harness.Sink.FailNextGrpcCalls(2, GrpcStatusCode.Unavailable, "warming up", trailersOnly: trailersOnly);
        var traces = OtlpTestData.Traces("svc", spans: 4);

        harness.Enqueue(traces);
        var flush = harness.FlushAsync();
        await harness.WaitForBackoffAsync(retries: 1);
        harness.AdvanceThrough(TimeSpan.FromSeconds(5));
        await harness.WaitForBackoffAsync(retries: 2);
        harness.AdvanceThrough(TimeSpan.FromSeconds(7.5));
        await flush;

        Assert.Equal(["UNAVAILABLE", "UNAVAILABLE", "OK"], harness.Sink.Calls.Select(c => c.Answer));
        Assert.Equal(traces, Assert.Single(harness.Sink.TraceRequests));
        Assert.Equal(4, harness.Metrics.Exported(OtlpSignal.Traces));
        Assert.Equal(2, harness.Metrics.Retries(OtlpSignal.Traces));
        Assert.Equal(0, harness.Metrics.Dropped(OtlpSignal.Traces));

        // The first failure is reported at once; the second, 5s later, falls within the failure-log interval.
        var warning = Assert.Single(harness.Log.At(LogLevel.Warning));
        Assert.Equal("Exports of traces are failing: gRPC UNAVAILABLE: warming up; retrying 4 spans in 5.0s", warning);
        Assert.Equal("Exports of traces succeed again after 12.5s of failures (2 failed attempts)", Assert.Single(harness.Log.At(LogLevel.Information)));
        Assert.Empty(harness.Log.At(LogLevel.Error));
    }

    [Fact]
    public async Task Does_not_retry_grpc_invalid_argument()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc);
        harness.Sink.FailNextGrpcCalls(1, GrpcStatusCode.InvalidArgument, "bad span");

        harness.Enqueue(OtlpTestData.Traces("svc", spans: 2));
        await harness.FlushAsync();

        AssertGaveUpAfterOneAttempt(harness, OtlpSignal.Traces, items: 2, "Dropped 2 spans");
        Assert.Contains("gRPC INVALID_ARGUMENT: bad span", Assert.Single(harness.Log.At(LogLevel.Error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Does_not_retry_http_400()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.HttpProtobuf);
        harness.Sink.FailNextHttpCalls(1, HttpStatusCode.BadRequest, message: "cannot parse");

        harness.Enqueue(OtlpTestData.Logs("svc", records: 3));
        await harness.FlushAsync();

        AssertGaveUpAfterOneAttempt(harness, OtlpSignal.Logs, items: 3, "Dropped 3 log records");
        Assert.Contains("HTTP 400 Bad Request: cannot parse", Assert.Single(harness.Log.At(LogLevel.Error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_503_waits_exactly_the_retry_after_seconds()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.HttpProtobuf);
        harness.Sink.FailNextHttpCalls(1, HttpStatusCode.ServiceUnavailable, retryAfter: "3");
        var metrics = OtlpTestData.Metrics("svc");

        harness.Enqueue(metrics);
        var flush = harness.FlushAsync();
        await harness.WaitForBackoffAsync(retries: 1, OtlpSignal.Metrics);
        harness.AdvanceThrough(TimeSpan.FromSeconds(3)); // not the 5s the backoff would have chosen
        await flush;

        Assert.Equal(2, harness.Sink.HttpCallCount);
        Assert.Equal(metrics, Assert.Single(harness.Sink.MetricsRequests));
    }

    [Fact]
    public async Task Http_429_with_an_http_date_waits_until_that_date()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.HttpProtobuf);
        var until = harness.Time.GetUtcNow().AddSeconds(4).ToString("R", CultureInfo.InvariantCulture);
        harness.Sink.FailNextHttpCalls(1, HttpStatusCode.TooManyRequests, retryAfter: until);

        harness.Enqueue(OtlpTestData.Traces("svc", 1));
        var flush = harness.FlushAsync();
        await harness.WaitForBackoffAsync(retries: 1);
        harness.AdvanceThrough(TimeSpan.FromSeconds(4));
        await flush;

        Assert.Equal(["HTTP 429", "OK"], harness.Sink.Calls.Select(c => c.Answer));
    }

    [Fact]
    public async Task Resource_exhausted_without_retry_info_is_not_retried()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc);
        harness.Sink.FailNextGrpcCalls(1, GrpcStatusCode.ResourceExhausted, "quota");

        harness.Enqueue(OtlpTestData.Traces("svc", spans: 1));
        await harness.FlushAsync();

        AssertGaveUpAfterOneAttempt(harness, OtlpSignal.Traces, items: 1, "Dropped 1 spans");
    }

    [Fact]
    public async Task Resource_exhausted_with_retry_info_is_retried_after_its_delay()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc);
        harness.Sink.FailNextGrpcCalls(1, GrpcStatusCode.ResourceExhausted, "slow down", retryDelay: TimeSpan.FromSeconds(2));
        var logs = OtlpTestData.Logs("svc", 2);

        harness.Enqueue(logs);
        var flush = harness.FlushAsync();
        await harness.WaitForBackoffAsync(retries: 1, OtlpSignal.Logs);
        harness.AdvanceThrough(TimeSpan.FromSeconds(2));
        await flush;

        Assert.Equal(["RESOURCE_EXHAUSTED", "OK"], harness.Sink.Calls.Select(c => c.Answer));
        Assert.Equal(logs, Assert.Single(harness.Sink.LogsRequests));
        Assert.Equal(0, harness.Metrics.Dropped(OtlpSignal.Logs));
    }

    [Fact]
    public async Task Gives_up_when_the_next_retry_would_pass_the_max_elapsed_time()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.Grpc,
            o => o with { RetryMaxElapsedTime = TimeSpan.FromSeconds(10) });
        harness.Sink.FailNextGrpcCalls(10, GrpcStatusCode.Unavailable);

        harness.Enqueue(OtlpTestData.Traces("svc", spans: 2));
        var flush = harness.FlushAsync();
        await harness.WaitForBackoffAsync(retries: 1);
        harness.AdvanceThrough(TimeSpan.FromSeconds(5)); // then 5s elapsed + 7.5s backoff > 10s
        await flush;

        Assert.Equal(2, harness.Sink.GrpcCallCount);
        Assert.Equal(1, harness.Metrics.Retries(OtlpSignal.Traces));
        Assert.Equal(2, harness.Metrics.Dropped(OtlpSignal.Traces));
        Assert.Contains("max elapsed time", Assert.Single(harness.Log.At(LogLevel.Error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_retry_disabled_a_retryable_failure_is_dropped()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.HttpProtobuf, o => o with { RetryEnabled = false });
        harness.Sink.FailNextHttpCalls(1, HttpStatusCode.BadGateway);

        harness.Enqueue(OtlpTestData.Traces("svc", spans: 1));
        await harness.FlushAsync();

        AssertGaveUpAfterOneAttempt(harness, OtlpSignal.Traces, items: 1, "retry disabled");
    }

    [Fact]
    public async Task A_timed_out_attempt_is_retried()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc);
        harness.Sink.StallNextCalls(OtlpSinkTransport.Grpc, 1);
        var traces = OtlpTestData.Traces("svc", spans: 1);

        harness.Enqueue(traces);
        var flush = harness.FlushAsync();
        // While the sink stalls, the only armed timer is the attempt's deadline.
        await OtlpExporterHarness.WaitUntilAsync(() => harness.Sink.GrpcCallCount == 1 && harness.Time.ArmedTimerCount == 1, "the stalled attempt");
        harness.AdvanceThrough(harness.Options.Timeout);
        await harness.WaitForBackoffAsync(retries: 1);
        harness.AdvanceThrough(TimeSpan.FromSeconds(5));
        await flush;

        Assert.Equal(["stalled", "OK"], harness.Sink.Calls.Select(c => c.Answer));
        Assert.Equal(traces, Assert.Single(harness.Sink.TraceRequests));
        Assert.Contains("no answer within", Assert.Single(harness.Log.At(LogLevel.Warning)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_until_the_exporter_stops()
    {
        var closedPort = ClosedLoopbackPort();
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.Grpc,
            o => o with { Endpoint = new Uri($"http://127.0.0.1:{closedPort}") });

        harness.Enqueue(OtlpTestData.Traces("svc", spans: 3));
        await harness.WaitForBackoffAsync(retries: 1);
        await harness.Exporter.StopAsync(new CancellationToken(canceled: true)).WaitAsync(OtlpExporterHarness.Patience);

        Assert.Contains("request failed", Assert.Single(harness.Log.At(LogLevel.Warning)), StringComparison.Ordinal);
        Assert.Equal(3, harness.Metrics.Dropped(OtlpSignal.Traces));
        var error = Assert.Single(harness.Log.At(LogLevel.Error));
        Assert.StartsWith("Dropped 3 spans (1 queued traces requests): ", error, StringComparison.Ordinal);
        Assert.Contains("stopped while waiting to retry", error, StringComparison.Ordinal);
        Assert.False(harness.Enqueue(OtlpTestData.Traces("late", 1)));
    }

    private static void AssertGaveUpAfterOneAttempt(OtlpExporterHarness harness, OtlpSignal signal, int items, string logged)
    {
        Assert.Single(harness.Sink.Calls);
        Assert.Equal(items, harness.Metrics.Dropped(signal));
        Assert.Equal(0, harness.Metrics.Exported(signal));
        Assert.Equal(0, harness.Metrics.Retries(signal));
        Assert.Contains(logged, Assert.Single(harness.Log.At(LogLevel.Error)), StringComparison.Ordinal);
    }

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
