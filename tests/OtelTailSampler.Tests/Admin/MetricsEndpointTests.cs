using System.Net;
using Google.Protobuf;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Admin;

public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private const string AcceptedItems = "otelsampler_receiver_accepted_items_total";

    private readonly HttpClient _client = new();
    private readonly CapturingExporter _exporter = new();
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        var options = TestNode.LoopbackOptions(_dataDir);
        _node = await TestNode.StartAsync(options with { Receivers = options.Receivers with { HttpMaxRequestBodySize = 64 * 1024 } }, _exporter);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Metrics_on_the_admin_port_count_the_spans_a_client_sent()
    {
        var before = await ScrapeAsync(_node);

        await PostTracesAsync(_node, OtlpSamples.Span(1, 1), OtlpSamples.Span(1, 2, parent: 1), OtlpSamples.Span(2, 3));

        var after = await ScrapeAsync(_node);
        Assert.Equal("counter", after.Types[AcceptedItems]);
        Assert.Equal(3, after.Value(AcceptedItems, "signal=traces", "transport=http") - before.Value(AcceptedItems, "signal=traces", "transport=http"));
        Assert.Equal(0, after.Value(AcceptedItems, "signal=logs"));
    }

    [Fact]
    public async Task Requests_refused_while_the_node_is_full_are_counted_with_their_items()
    {
        var before = await ScrapeAsync(_node);
        _exporter.Full = true;

        await PostTracesAsync(_node, HttpStatusCode.ServiceUnavailable, OtlpSamples.Span(5, 1), OtlpSamples.Span(5, 2, parent: 1));

        var after = await ScrapeAsync(_node);
        string[] overloaded = ["signal=traces", "transport=http", "reason=overloaded"];
        Assert.Equal(1, after.Value("otelsampler_receiver_refused_requests_total", overloaded) - before.Value("otelsampler_receiver_refused_requests_total", overloaded));
        Assert.Equal(2, after.Value("otelsampler_receiver_refused_items_total", overloaded) - before.Value("otelsampler_receiver_refused_items_total", overloaded));
        Assert.Equal(before.Value(AcceptedItems), after.Value(AcceptedItems));
    }

    [Fact]
    public async Task Requests_refused_before_ingestion_are_counted_by_reason()
    {
        const string Refused = "otelsampler_receiver_refused_requests_total";
        var before = await ScrapeAsync(_node);

        await PostAsync(new ByteArrayContent(new byte[100 * 1024]), "application/x-protobuf", null, HttpStatusCode.RequestEntityTooLarge);
        await PostAsync(new StringContent("{ not json"), "application/json", null, HttpStatusCode.BadRequest);
        await PostAsync(new ByteArrayContent([1, 2, 3]), "application/x-protobuf", "br", HttpStatusCode.UnsupportedMediaType);

        var after = await ScrapeAsync(_node);
        foreach (var reason in new[] { "too_large", "malformed", "unsupported" })
        {
            string[] labels = ["signal=traces", "transport=http", $"reason={reason}"];
            Assert.Equal(1, after.Value(Refused, labels) - before.Value(Refused, labels));
        }

        async Task PostAsync(HttpContent content, string contentType, string? encoding, HttpStatusCode expected)
        {
            using (content)
            {
                content.Headers.ContentType = new(contentType);
                if (encoding is not null)
                {
                    content.Headers.ContentEncoding.Add(encoding);
                }

                using var response = await _client.PostAsync(new Uri(_node.HttpUri, "/v1/traces"), content);
                Assert.Equal(expected, response.StatusCode);
            }
        }
    }

    [Fact]
    public async Task Each_node_reports_only_its_own_counters()
    {
        // Nodes in one process (as in these tests) share the meter's name, not their counts.
        await using var other = await TestNode.StartAsync(TestNode.LoopbackOptions(_dataDir), new CapturingExporter());
        var before = await ScrapeAsync(other);

        await PostTracesAsync(_node, OtlpSamples.Span(3, 1));
        await PostTracesAsync(other, OtlpSamples.Span(4, 1), OtlpSamples.Span(4, 2, parent: 1));

        var after = await ScrapeAsync(other);
        Assert.Equal(2, after.Value(AcceptedItems, "signal=traces") - before.Value(AcceptedItems, "signal=traces"));
    }

    [Fact]
    public async Task Metrics_are_not_served_on_the_otlp_ports()
    {
        using var http = await _client.GetAsync(new Uri(_node.HttpUri, "/metrics"));
        using var grpcRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(_node.GrpcUri, "/metrics"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var grpc = await _client.SendAsync(grpcRequest);

        Assert.Equal(HttpStatusCode.NotFound, http.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, grpc.StatusCode);
    }

    [Fact]
    public async Task Only_get_and_head_scrape()
    {
        using var post = await _client.PostAsync(new Uri(_node.AdminUri, "/metrics"), new ByteArrayContent([]));
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(_node.AdminUri, "/metrics")));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task A_sampling_node_reports_its_journal_commits_and_buffered_traces()
    {
        var dataDir = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;
        try
        {
            var options = TestNode.LoopbackOptions(dataDir) with
            {
                PipelineMode = OtelTailSampler.Pipeline.PipelineMode.Sample,
                Journal = new OtelTailSampler.Persistence.JournalOptions
                {
                    Backend = OtelTailSampler.Persistence.JournalBackend.Sqlite,
                    SqlitePath = Path.Combine(dataDir, "journal"),
                    Sync = OtelTailSampler.Persistence.JournalSync.Normal,
                },
            };
            await using var node = await TestNode.StartAsync(options, new CapturingExporter());

            // The node answers only once the spans are committed, so the commit is counted by then.
            await PostTracesAsync(node, OtlpSamples.Span(7, 1), OtlpSamples.Span(7, 2, parent: 1));
            var metrics = await ScrapeAsync(node);

            Assert.Equal("histogram", metrics.Types["otelsampler_journal_commit_duration_seconds"]);
            Assert.True(metrics.Value("otelsampler_journal_commit_duration_seconds_count", "outcome=committed") >= 1);
            Assert.True(metrics.Value("otelsampler_journal_commit_duration_seconds_bucket", "outcome=committed", "le=+Inf") >= 1);
            Assert.True(metrics.Value("otelsampler_journal_committed_bytes_total") > 0);
            Assert.Equal("gauge", metrics.Types["otelsampler_journal_queued_writes"]);
            Assert.Equal(0, metrics.Value("otelsampler_journal_queued_writes"));
            Assert.Equal(2, metrics.Value("otelsampler_sampling_spans_received_total"));
            Assert.Equal(1, metrics.Value("otelsampler_sampling_traces_buffered"));
            Assert.Equal("gauge", metrics.Types["otelsampler_export_pending_bytes"]);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task The_exporter_counts_what_it_delivered_per_signal()
    {
        // The node's own exporter this time (files), whose counters come from the node's meter factory.
        var dataDir = Path.Combine(_dataDir, "file-export");
        await using var node = await TestNode.StartAsync(TestNode.LoopbackOptions(dataDir));
        const string Exported = "otelsampler_exporter_items_exported_total";

        await PostTracesAsync(node, OtlpSamples.Span(9, 1), OtlpSamples.Span(9, 2, parent: 1));

        // Written by the exporter's own loop: scraped until it shows, with a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        PrometheusText scraped;
        while ((scraped = await ScrapeAsync(node)).Value(Exported, "signal=traces") < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the exporter's counter never showed the two spans");
            await Task.Delay(20);
        }

        Assert.Equal(2, scraped.Value(Exported, "signal=traces"));
        Assert.Equal(0, scraped.Value("otelsampler_exporter_items_dropped_total", "signal=traces"));
    }

    private async Task<PrometheusText> ScrapeAsync(TestNode node)
    {
        using var response = await _client.GetAsync(new Uri(node.AdminUri, "/metrics"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var contentType = response.Content.Headers.ContentType;
        Assert.Equal("text/plain", contentType?.MediaType);
        Assert.Contains(contentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private Task PostTracesAsync(TestNode node, params OpenTelemetry.Proto.Trace.V1.Span[] spans) => PostTracesAsync(node, HttpStatusCode.OK, spans);

    private async Task PostTracesAsync(TestNode node, HttpStatusCode expected, params OpenTelemetry.Proto.Trace.V1.Span[] spans)
    {
        using var content = new ByteArrayContent(OtlpSamples.Traces(spans).ToByteArray());
        content.Headers.ContentType = new("application/x-protobuf");
        using var response = await _client.PostAsync(new Uri(node.HttpUri, "/v1/traces"), content);
        Assert.Equal(expected, response.StatusCode);
    }
}
