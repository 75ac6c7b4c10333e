using OtelTailSampler.LoadGen;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.LoadGen;

public sealed class ProgressReporterTests
{
    [Fact]
    public void Prints_a_line_every_second_of_the_clock_with_the_rate_since_the_last()
    {
        var time = new ManualTimeProvider();
        var acked = 0L;
        var elapsed = TimeSpan.Zero;
        var output = new StringWriter();
        using (new ProgressReporter(
            () => new LoadGenProgress(elapsed, acked + 10, acked, 1, 2, 3, 4, TimeSpan.FromMilliseconds(1.5), TimeSpan.FromMilliseconds(12)),
            output, time, overwrite: false, label: "sample"))
        {
            time.Advance(TimeSpan.FromMilliseconds(999));
            Assert.Equal("", output.ToString());

            (elapsed, acked) = (TimeSpan.FromSeconds(1), 1000);
            time.Advance(TimeSpan.FromMilliseconds(1));
            (elapsed, acked) = (TimeSpan.FromSeconds(2), 3500);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("sample [    1s] spans sent 1,010, acked 1,000 (1,000/s); rejected 1, failed 2, retried 3; in flight 4; ack p50 1.50 ms, p99 12.0 ms", lines[0]);
        Assert.Contains("acked 3,500 (2,500/s)", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Terminal_mode_rewrites_one_line_and_ends_it_on_dispose()
    {
        var time = new ManualTimeProvider();
        var output = new StringWriter();
        using (new ProgressReporter(() => new LoadGenProgress(TimeSpan.FromSeconds(1), 1, 1, 0, 0, 0, 0, TimeSpan.Zero, TimeSpan.Zero), output, time, overwrite: true))
        {
            time.Advance(TimeSpan.FromSeconds(2));
        }

        var text = output.ToString();
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
    }
}
