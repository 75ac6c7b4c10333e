using OtelTailSampler.LoadGen;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.LoadGen;

/// <summary>The benchmark's buffer memory probe, which reads the process's heap, so it runs apart from other tests.</summary>
[Collection(WholeProcessMemoryGroup.Name)]
public sealed class BufferMemoryProbeTests
{
    [Fact]
    public async Task Memory_probe_holds_every_span_and_reports_the_workers_own_accounting()
    {
        var result = await BufferMemoryProbe.MeasureAsync(
            new SamplingOptions(), new ShardingOptions { Shards = 64 }, new TrafficOptions { SpansPerRequest = 100 }, seed: 3, spans: 3000);

        Assert.InRange(result.Spans, 3000, 3200);
        Assert.True(result.Traces > 0);
        Assert.True(result.RequestBytes > result.SpanWireBytes);
        Assert.True(result.HeapBytes > result.SpanWireBytes);
        Assert.Equal(result.SpanWireBytes + (result.Spans * TraceBuffer.SpanOverheadBytes), result.AccountedBytes);
        Assert.Equal(TraceBuffer.SpanOverheadBytes, result.AccountedOverheadBytesPerSpan);
    }
}
