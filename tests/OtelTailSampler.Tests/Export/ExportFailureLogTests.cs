using OtelTailSampler.Export;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Export;

public sealed class ExportFailureLogTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void The_first_failure_is_reported_at_once_then_at_most_once_per_interval_with_a_count()
    {
        var log = new ExportFailureLog(TimeSpan.FromSeconds(10), _time);

        Assert.Equal(new ExportFailureReport(First: true, 1, TimeSpan.Zero, TimeSpan.Zero), log.Failed());
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            Assert.Null(log.Failed());
        }

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(new ExportFailureReport(First: false, 5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), log.Failed());

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(new ExportFailureReport(First: false, 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(40)), log.Failed());
    }

    [Fact]
    public void A_success_after_failures_reports_how_long_they_lasted_once()
    {
        var log = new ExportFailureLog(TimeSpan.FromSeconds(10), _time);
        Assert.Null(log.Succeeded());
        log.Failed();
        _time.Advance(TimeSpan.FromSeconds(42));
        log.Failed();

        Assert.Equal((TimeSpan.FromSeconds(42), 2L), log.Succeeded());
        Assert.Null(log.Succeeded());

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(log.Failed()!.Value.First);
    }
}
