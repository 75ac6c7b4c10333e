using OtelTailSampler.Export;
using OtelTailSampler.Otlp;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Export;

public sealed class ExporterHealthTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Failing_attempts_make_a_signal_failing_only_after_unhealthy_after()
    {
        var health = new ExporterHealth(TimeSpan.FromSeconds(30), _time);

        health.RecordFailure(OtlpSignal.Traces, "gRPC UNAVAILABLE: first");
        _time.Advance(TimeSpan.FromSeconds(29.9));
        health.RecordFailure(OtlpSignal.Traces, "gRPC UNAVAILABLE: second");
        Assert.Null(health.FailingReason());

        _time.Advance(TimeSpan.FromSeconds(1.1));

        Assert.Equal("failing: exports of traces since 2026-03-01T12:00:00Z (31.0s), last error: gRPC UNAVAILABLE: second", health.FailingReason());
    }

    [Fact]
    public void A_signal_waiting_between_failed_attempts_stays_failing()
    {
        var health = new ExporterHealth(TimeSpan.FromSeconds(30), _time);

        health.RecordFailure(OtlpSignal.Logs, "connection refused");
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.StartsWith("failing: exports of logs since 2026-03-01T12:00:00Z (2m)", health.FailingReason(), StringComparison.Ordinal);
    }

    [Fact]
    public void One_success_makes_the_signal_healthy_again_and_restarts_the_count()
    {
        var health = new ExporterHealth(TimeSpan.FromSeconds(30), _time);
        health.RecordFailure(OtlpSignal.Traces, "down");
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.NotNull(health.FailingReason());

        health.RecordSuccess(OtlpSignal.Traces);
        Assert.Null(health.FailingReason());

        health.RecordFailure(OtlpSignal.Traces, "down again");
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(health.FailingReason());
    }

    [Fact]
    public void Signals_are_tracked_apart_and_each_failing_one_is_named()
    {
        var health = new ExporterHealth(TimeSpan.FromSeconds(10), _time);
        health.RecordFailure(OtlpSignal.Traces, "HTTP 503");
        health.RecordFailure(OtlpSignal.Metrics, "HTTP 502\nbad gateway");
        health.RecordFailure(OtlpSignal.Logs, "HTTP 503");
        health.RecordSuccess(OtlpSignal.Logs);
        _time.Advance(TimeSpan.FromSeconds(15));

        Assert.Equal(
            "failing: exports of traces since 2026-03-01T12:00:00Z (15.0s), last error: HTTP 503; "
            + "exports of metrics since 2026-03-01T12:00:00Z (15.0s), last error: HTTP 502 bad gateway",
            health.FailingReason());
    }

    [Fact]
    public void The_always_healthy_instance_ignores_failures()
    {
        ExporterHealth.AlwaysHealthy.RecordFailure(OtlpSignal.Traces, "never mind");

        Assert.Null(ExporterHealth.AlwaysHealthy.FailingReason());
    }
}
