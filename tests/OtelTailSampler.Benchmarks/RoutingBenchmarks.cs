using BenchmarkDotNet.Attributes;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// Routing by trace ID, per span of a 512-span request: splitting a request into per-worker batches (what the
/// pipeline does for every request) and the bare trace ID → shard → worker step.
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private readonly ShardRouter _router = new(shards: 1024, workers: 2);
    private byte[] _request = [];
    private TraceId[] _traceIds = [];

    [GlobalSetup]
    public void Setup()
    {
        _request = BenchmarkData.TraceRequest(seed: 2, batch: 0);
        _traceIds = [.. BenchmarkData.Spans(_request).Select(s => TraceId.FromBytes(s.TraceId.Span))];
    }

    [Benchmark(OperationsPerInvoke = BenchmarkData.SpansPerRequest, Description = "split request by worker")]
    public int SplitRequest()
    {
        var (batches, spans) = TraceRequestSplitter.Split(_request, _router);
        foreach (var batch in batches)
        {
            batch?.Return();
        }

        return spans;
    }

    [Benchmark(OperationsPerInvoke = BenchmarkData.SpansPerRequest, Description = "trace ID -> worker")]
    public int RouteTraceIds()
    {
        var sum = 0;
        foreach (var id in _traceIds)
        {
            sum += _router.WorkerOf(id);
        }

        return sum;
    }
}
