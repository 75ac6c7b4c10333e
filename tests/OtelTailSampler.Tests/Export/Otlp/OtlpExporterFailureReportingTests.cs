using Microsoft.Extensions.Logging;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.Tests.Export.Otlp;

/// <summary>An outage as an operator reads it: a few warnings with counts, one line when it ends, and the health.</summary>
public sealed class OtlpExporterFailureReportingTests
{
    [Fact]
    public async Task A_long_outage_logs_one_warning_per_interval_with_counts_and_one_line_when_it_ends()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.Grpc,
            o => o with { RetryInitialInterval = TimeSpan.FromSeconds(1), RetryMaxInterval = TimeSpan.FromSeconds(1), RetryMaxElapsedTime = TimeSpan.Zero });
        harness.Sink.FailNextGrpcCalls(25, GrpcStatusCode.Unavailable, "down");

        harness.Enqueue(OtlpTestData.Traces("svc", spans: 1));
        var flush = harness.FlushAsync();
        for (var retry = 1; retry <= 25; retry++)
        {
            await harness.WaitForBackoffAsync(retry);
            harness.AdvanceThrough(TimeSpan.FromSeconds(1));
        }

        await flush;

        const string Retrying = "last error: gRPC UNAVAILABLE: down; retrying 1 spans in 1.0s";
        Assert.Equal(
            [
                "Exports of traces are failing: gRPC UNAVAILABLE: down; retrying 1 spans in 1.0s",
                $"Exports of traces still failing after 10.0s: 10 attempts failed in the last 10.0s; {Retrying}",
                $"Exports of traces still failing after 20.0s: 10 attempts failed in the last 10.0s; {Retrying}",
            ],
            harness.Log.At(LogLevel.Warning));
        Assert.Equal("Exports of traces succeed again after 25.0s of failures (25 failed attempts)", Assert.Single(harness.Log.At(LogLevel.Information)));
        Assert.Empty(harness.Log.At(LogLevel.Error));
        Assert.Equal(25, harness.Metrics.Attempts(OtlpSignal.Traces, "retryable"));
        Assert.Equal(1, harness.Metrics.Attempts(OtlpSignal.Traces, "success"));
        Assert.Equal(1, harness.Metrics.Exported(OtlpSignal.Traces));
        Assert.Equal(["outcome", "signal"], harness.Metrics.Labels.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Health_turns_failing_after_unhealthy_after_and_recovers_at_the_first_success()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.Grpc,
            o => o with
            {
                RetryInitialInterval = TimeSpan.FromSeconds(10),
                RetryMaxInterval = TimeSpan.FromSeconds(10),
                RetryMaxElapsedTime = TimeSpan.Zero,
                UnhealthyAfter = TimeSpan.FromSeconds(30),
            });
        harness.Sink.FailNextGrpcCalls(4, GrpcStatusCode.Unavailable, "down");

        harness.Enqueue(OtlpTestData.Traces("svc", spans: 1));
        var flush = harness.FlushAsync();
        for (var retry = 1; retry <= 3; retry++)
        {
            await harness.WaitForBackoffAsync(retry);
            Assert.Null(harness.Exporter.Health.FailingReason());
            harness.AdvanceThrough(TimeSpan.FromSeconds(10));
        }

        await harness.WaitForBackoffAsync(4);
        Assert.Equal(
            "failing: exports of traces since 2026-01-01T00:00:00Z (30.0s), last error: gRPC UNAVAILABLE: down",
            harness.Exporter.Health.FailingReason());

        harness.AdvanceThrough(TimeSpan.FromSeconds(10));
        await flush;
        Assert.Null(harness.Exporter.Health.FailingReason());
    }
}
