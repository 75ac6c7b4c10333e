using OtelTailSampler.LoadGen;

namespace OtelTailSampler.Tests.LoadGen;

/// <summary>The pieces the benchmark command is made of: the discarding backend (the memory probe is in <see cref="BufferMemoryProbeTests"/>).</summary>
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
}
