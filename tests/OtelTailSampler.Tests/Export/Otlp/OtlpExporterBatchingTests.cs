using Google.Protobuf;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.Tests.Export.Otlp;

public sealed class OtlpExporterBatchingTests
{
    [Fact]
    public async Task Concatenates_queued_requests_into_one_export()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc, o => o with { BatchDelay = TimeSpan.FromMilliseconds(200) });
        var requests = new[] { OtlpTestData.Traces("a", 2), OtlpTestData.Traces("b", 1), OtlpTestData.Traces("c", 3) };

        foreach (var request in requests)
        {
            Assert.True(harness.Enqueue(request));
        }

        await harness.FlushAsync();

        var received = Assert.Single(harness.Sink.TraceRequests);
        Assert.Equal(requests.SelectMany(r => r.ResourceSpans), received.ResourceSpans);
        Assert.Equal(6, harness.Metrics.Exported(OtlpSignal.Traces));
    }

    [Fact]
    public async Task A_partial_batch_goes_out_when_the_batch_delay_passes()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.HttpProtobuf, o => o with { BatchDelay = TimeSpan.FromMilliseconds(200) });
        var first = OtlpTestData.Logs("a", 1);
        var second = OtlpTestData.Logs("b", 2);

        harness.Enqueue(first);
        harness.Enqueue(second);
        await OtlpExporterHarness.WaitUntilAsync(() => harness.Time.ArmedTimerCount == 1, "the batch timer");
        harness.AdvanceThrough(TimeSpan.FromMilliseconds(200));
        await harness.Sink.WaitForLogRecordsAsync(3);

        var received = Assert.Single(harness.Sink.LogsRequests);
        Assert.Equal(first.ResourceLogs.Concat(second.ResourceLogs), received.ResourceLogs);
    }

    [Fact]
    public async Task Splits_when_the_next_request_would_pass_batch_max_items()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.Grpc,
            o => o with { BatchMaxItems = 2, BatchDelay = TimeSpan.FromMilliseconds(200) });
        var requests = new[] { OtlpTestData.Traces("a", 1), OtlpTestData.Traces("b", 1), OtlpTestData.Traces("c", 1) };

        foreach (var request in requests)
        {
            harness.Enqueue(request);
        }

        await harness.FlushAsync();

        var received = harness.Sink.TraceRequests;
        Assert.Equal(2, received.Count);
        Assert.Equal(requests[..2].SelectMany(r => r.ResourceSpans), received[0].ResourceSpans);
        Assert.Equal(requests[2].ResourceSpans, received[1].ResourceSpans);
    }

    [Fact]
    public async Task Splits_when_the_next_request_would_pass_batch_max_bytes()
    {
        var requests = new[] { OtlpTestData.Logs("a", 1), OtlpTestData.Logs("b", 1), OtlpTestData.Logs("c", 1) };
        var twoRequests = requests[0].CalculateSize() + requests[1].CalculateSize();
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.HttpProtobuf,
            o => o with { BatchMaxBytes = twoRequests + 1, BatchDelay = TimeSpan.FromMilliseconds(200) });

        foreach (var request in requests)
        {
            harness.Enqueue(request);
        }

        await harness.FlushAsync();

        Assert.Equal([2, 1], harness.Sink.LogsRequests.Select(r => r.ResourceLogs.Count));
    }

    [Fact]
    public async Task A_request_larger_than_a_batch_is_sent_alone()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc, o => o with { BatchMaxItems = 2 });
        var big = OtlpTestData.Traces("big", spans: 5);

        harness.Enqueue(big);
        await harness.FlushAsync();

        Assert.Equal(big, Assert.Single(harness.Sink.TraceRequests));
    }

    [Fact]
    public async Task Signals_are_batched_separately()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(OtlpExportProtocol.Grpc, o => o with { BatchDelay = TimeSpan.FromMilliseconds(200) });

        harness.Enqueue(OtlpTestData.Traces("a", 1));
        harness.Enqueue(OtlpTestData.Logs("a", 1));
        harness.Enqueue(OtlpTestData.Traces("b", 1));
        await harness.FlushAsync();

        Assert.Equal(2, Assert.Single(harness.Sink.TraceRequests).ResourceSpans.Count);
        Assert.Single(Assert.Single(harness.Sink.LogsRequests).ResourceLogs);
        Assert.Equal(2, harness.Sink.GrpcCallCount);
    }

    [Fact]
    public async Task TryEnqueue_returns_false_when_the_queue_is_full()
    {
        await using var harness = await OtlpExporterHarness.StartAsync(
            OtlpExportProtocol.Grpc,
            o => o with { QueueCapacity = 2, BatchMaxItems = 1 });
        harness.Sink.FailNextGrpcCalls(1, GrpcStatusCode.Unavailable);

        // The loop holds the first request while it backs off, so the queue behind it fills up.
        Assert.True(harness.Enqueue(OtlpTestData.Traces("a", 1)));
        await harness.WaitForBackoffAsync(retries: 1);
        Assert.True(harness.Enqueue(OtlpTestData.Traces("b", 1)));
        Assert.True(harness.Enqueue(OtlpTestData.Traces("c", 1)));
        Assert.False(harness.Enqueue(OtlpTestData.Traces("d", 1)));

        harness.AdvanceThrough(TimeSpan.FromSeconds(5));
        await harness.FlushAsync();
        Assert.Equal(3, harness.Sink.SpanCount);
        Assert.True(harness.Enqueue(OtlpTestData.Traces("e", 1)));
    }
}
