using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Admin;

/// <summary>The test parser for /metrics is only worth its checks if it refuses what the format forbids.</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void Reads_help_type_samples_labels_timestamps_and_eof()
    {
        var text = PrometheusText.Parse("""
            # HELP requests_total Requests, with a \\ and a\nline feed.
            # TYPE requests_total counter
            requests_total{path="/a\"b",code="200",} 12 1700000000000
            requests_total 3
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.5"} 1
            latency_seconds_bucket{le="+Inf"} 2
            latency_seconds_sum 1.5e0
            latency_seconds_count 2
            # EOF

            """.ReplaceLineEndings("\n"));

        Assert.Equal("Requests, with a \\ and a\nline feed.", text.Help["requests_total"]);
        Assert.Equal("histogram", text.Types["latency_seconds"]);
        Assert.Equal(15, text.Value("requests_total"));
        Assert.Equal(12, text.Value("requests_total", "path=/a\"b"));
        Assert.Equal(1700000000000, text.Samples[0].Timestamp);
        Assert.Equal(2, text.Value("latency_seconds_bucket", "le=+Inf"));
    }

    [Theory]
    [InlineData("# TYPE a counter\na 1")]
    [InlineData("a 1\n")]
    [InlineData("# TYPE a counter\nb 1\n")]
    [InlineData("# TYPE a kounter\na 1\n")]
    [InlineData("# a comment\n")]
    [InlineData("\n")]
    [InlineData("# TYPE a gauge\na  1\n")]
    [InlineData("# TYPE a gauge\na{x=\"1\" 1\n")]
    [InlineData("# TYPE a gauge\na{x=1} 1\n")]
    [InlineData("# TYPE a gauge\na{x=\"\\t\"} 1\n")]
    [InlineData("# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n")]
    [InlineData("# TYPE a gauge\na one\n")]
    [InlineData("# TYPE a gauge\na Infinity\n")]
    [InlineData("# TYPE a gauge\na 1 soon\n")]
    [InlineData("# TYPE a gauge\na 1\na 2\n")]
    [InlineData("# TYPE h histogram\nh_bucket 1\n")]
    [InlineData("# EOF\n# TYPE a gauge\na 1\n")]
    public void Refuses_what_the_format_forbids(string exposition)
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse(exposition));
    }
}
