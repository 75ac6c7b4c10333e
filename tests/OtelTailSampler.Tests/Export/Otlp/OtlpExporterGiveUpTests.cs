using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Export;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.Tests.Export.Otlp;

/// <summary>
/// What the exporter says when it gives up: a drop only when the data is gone, never for a request whose caller
/// keeps a durable copy (the journal) and offers it again.
/// </summary>
public sealed class OtlpExporterGiveUpTests
{
    [Fact]
    public async Task Durable_requests_given_up_at_shutdown_are_returned_without_a_drop_line()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.Grpc,
            o => o with { Endpoint = new Uri($"http://127.0.0.1:{ClosedLoopbackPort()}") });

        var result = harness.EnqueueTracked(OtlpTestData.Traces("svc", spans: 3), durable: true);
        await harness.WaitForBackoffAsync(retries: 1);
        await harness.Exporter.StopAsync(new CancellationToken(canceled: true)).WaitAsync(OtlpExporterHarness.Patience);

        Assert.Equal(ExportResult.Abandoned, await result);
        Assert.Equal(3, harness.Metrics.Returned(OtlpSignal.Traces));
        Assert.Equal(0, harness.Metrics.Dropped(OtlpSignal.Traces));
        Assert.Empty(harness.Log.At(LogLevel.Error));
        Assert.DoesNotContain(harness.Log.Entries, e => e.Message.Contains("dropped", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_batch_given_up_drops_only_the_requests_nobody_else_keeps()
    {
        // A batch delay the manual clock never reaches, so both requests wait for the flush and go out together.
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.Grpc,
            o => o with { RetryEnabled = false, BatchDelay = TimeSpan.FromSeconds(1) });
        harness.Sink.FailNextGrpcCalls(1, GrpcStatusCode.Unavailable, "down");

        var journaled = harness.EnqueueTracked(OtlpTestData.Traces("journaled", spans: 2), durable: true);
        var unjournaled = harness.EnqueueTracked(OtlpTestData.Traces("unjournaled", spans: 3), durable: false);
        await harness.FlushAsync();

        Assert.Single(harness.Sink.Calls);
        Assert.Equal(ExportResult.Abandoned, await journaled);
        Assert.Equal(ExportResult.Abandoned, await unjournaled);
        Assert.Equal(2, harness.Metrics.Returned(OtlpSignal.Traces));
        Assert.Equal(3, harness.Metrics.Dropped(OtlpSignal.Traces));
        Assert.Equal(
            "Dropped 3 spans (1 queued traces requests): gRPC UNAVAILABLE: down (retry disabled)",
            Assert.Single(harness.Log.At(LogLevel.Error)));
        Assert.Equal(
            "Exports of traces are failing: gRPC UNAVAILABLE: down; not retrying 5 spans: retry is disabled",
            Assert.Single(harness.Log.At(LogLevel.Warning)));
    }

    [Fact]
    public async Task A_permanent_refusal_drops_durable_requests_too()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc);
        harness.Sink.FailNextGrpcCalls(1, GrpcStatusCode.InvalidArgument, "bad span");

        var result = harness.EnqueueTracked(OtlpTestData.Traces("svc", spans: 2), durable: true);

        Assert.Equal(ExportResult.Refused, await result);
        Assert.Equal(2, harness.Metrics.Dropped(OtlpSignal.Traces));
        Assert.Equal(0, harness.Metrics.Returned(OtlpSignal.Traces));
        Assert.Equal(1, harness.Metrics.Attempts(OtlpSignal.Traces, "permanent"));
        Assert.Equal(
            "Dropped 2 spans (1 queued traces requests): gRPC INVALID_ARGUMENT: bad span (not retryable)",
            Assert.Single(harness.Log.At(LogLevel.Error)));
    }

    [Fact]
    public async Task Durable_requests_whose_retries_ran_out_are_returned_and_the_failure_line_says_so()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.Grpc,
            o => o with { RetryMaxElapsedTime = TimeSpan.FromSeconds(10), FailureLogInterval = TimeSpan.FromSeconds(5) });
        harness.Sink.FailNextGrpcCalls(10, GrpcStatusCode.Unavailable, "down");

        var result = harness.EnqueueTracked(OtlpTestData.Traces("svc", spans: 2), durable: true);
        await harness.WaitForBackoffAsync(retries: 1);
        harness.AdvanceThrough(TimeSpan.FromSeconds(5)); // then 5s elapsed + 7.5s backoff > 10s

        Assert.Equal(ExportResult.Abandoned, await result);
        Assert.Equal(2, harness.Metrics.Returned(OtlpSignal.Traces));
        Assert.Equal(0, harness.Metrics.Dropped(OtlpSignal.Traces));
        Assert.Empty(harness.Log.At(LogLevel.Error));
        Assert.Equal(
            [
                "Exports of traces are failing: gRPC UNAVAILABLE: down; retrying 2 spans in 5.0s",
                "Exports of traces still failing after 5.0s: 1 attempts failed in the last 5.0s; last error: gRPC UNAVAILABLE: down; "
                    + "gave up on 2 spans after 5.0s: retrying in 7.5s would pass the max elapsed time of 10.0s",
            ],
            harness.Log.At(LogLevel.Warning));
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
