using OtelTailSampler.LoadGen;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Tests.LoadGen;

/// <summary>The pieces the benchmark command is made of: the discarding backend and the buffer memory probe.</summary>
public sealed class BenchSupportTests
{
    [Theory]
    [InlineData(LoadGenProtocol.Grpc)]
    [InlineData(LoadGenProtocol.Http)]
    public async Task Discarding_sink_acknowledges_everything_it_is_sent(LoadGenProtocol protocol)
    {
        await using var sink = await DiscardingOtlpSink.StartAsync();
        var options = new LoadGenOptions
        {
            Endpoints = [protocol == LoadGenProtocol.Grpc ? sink.GrpcEndpoint : sink.HttpEndpoint],
            Protocol = protocol,
            Duration = null,
            MaxBatches = 8,
            Concurrency = 2,
            Gzip = true,
            Traffic = new TrafficOptions { SpansPerRequest = 50, MetricSeries = 10, MetricsEveryBatches = 2 },
        };

        using var generator = new LoadGenerator(options);
        var summary = await generator.RunAsync();

        Assert.True(summary.AllAcknowledged);
        Assert.Equal(summary.AcknowledgedRequests, sink.Requests);
        Assert.True(sink.Bytes > 0);
    }

    [Fact]
    public async Task Memory_probe_holds_every_span_and_reports_the_workers_own_accounting()
    {
        var result = await BufferMemoryProbe.MeasureAsync(
            new SamplingOptions(), new ShardingOptions { Shards = 64, Workers = 2 }, new TrafficOptions { SpansPerRequest = 100 }, seed: 3, spans: 3000);

        Assert.InRange(result.Spans, 3000, 3200);
        Assert.True(result.Traces > 0);
        Assert.True(result.RequestBytes > result.SpanWireBytes);
        Assert.True(result.HeapBytes > result.SpanWireBytes);
        Assert.Equal(result.SpanWireBytes + (result.Spans * ShardWorker.SpanOverheadBytes), result.AccountedBytes);
        Assert.Equal(ShardWorker.SpanOverheadBytes, result.AccountedOverheadBytesPerSpan);
    }
}
