using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.LoadGen;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// A trace shard's own work, per span, without its actor around it (no journal): 64 requests of 512 spans (about
/// 1,650 traces) (1) appended to their trace entities, and (2) appended and then decided by the default policies
/// (kept traces written out for a discarding exporter); and (3) a burst of only 2 requests (about 50 traces),
/// small enough for the shared array pool to hand back every array it lent. Each iteration gives the traces fresh
/// IDs and splits the requests beforehand (unmeasured), so every iteration sees new traces in a warm shard: the
/// steady state. One invocation per iteration, so the setup warms the JIT itself (tiered compilation needs a
/// couple of dozen rounds to settle).
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1, 1)]
public class ShardTracesBenchmarks
{
    private const int Requests = 64;
    private const int Spans = Requests * BenchmarkData.SpansPerRequest;
    private const int SmallBurst = 2;
    private const int WarmupRounds = 40;

    private readonly ManualClock _clock = new();
    private readonly ShardRouter _router = new(shards: 1, workers: 1);
    private readonly SamplingOptions _options = new();
    private readonly DiscardingExporter _exporter = new();
    private readonly SamplerMetrics _metrics = new();
    private readonly SpanBatch[] _batches = new SpanBatch[Requests];
    private byte[][] _pristine = [];
    private byte[][] _requests = [];
    private int[][] _traceIdOffsets = [];
    private ShardTraces _traces = null!;
    private NodeTraceBudget _budget = null!;
    private ulong _generation;

    [GlobalSetup]
    public void Setup()
    {
        _pristine = [.. Enumerable.Range(0, Requests).Select(i => BenchmarkData.TraceRequest(seed: 3, batch: i))];
        _requests = [.. _pristine.Select(r => new byte[r.Length])];
        _traceIdOffsets = [.. _pristine.Select(BenchmarkData.TraceIdOffsets)];
        _budget = new NodeTraceBudget(int.MaxValue, long.MaxValue);
        var node = new TraceShardContext(_options, PolicySet.Create(_options.Policies, 1, _clock), _exporter, _metrics, _clock, NullLogger.Instance,
            _budget, new LocalTraceShards(), Shards: 1, Journaled: false, Replica: null, RefuseParts: static () => false);
        _traces = new ShardTraces(0, node, Akka.Actor.ActorRefs.Nobody, static _ => { });

        // Grow the shard's tables, fill the pools and let tiered compilation settle before anything is measured.
        for (var round = 0; round < WarmupRounds; round++)
        {
            Prepare();
            AppendAndDecide();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _traces.Dispose();
        _metrics.Dispose();
    }

    [IterationSetup]
    public void Prepare()
    {
        _generation++;
        for (var i = 0; i < Requests; i++)
        {
            BenchmarkData.Renumber(_pristine[i], _requests[i], _traceIdOffsets[i], _generation);
            _batches[i] = TraceRequestSplitter.Split(_requests[i], _router).Batches[0]!;
        }
    }

    [Benchmark(OperationsPerInvoke = Spans, Description = "append spans to entities")]
    public void AppendSpans() => PostAll();

    [Benchmark(OperationsPerInvoke = SmallBurst * BenchmarkData.SpansPerRequest, Description = "append spans, burst of 2 requests")]
    public void AppendSmallBurst() => PostAll(SmallBurst);

    [IterationCleanup(Target = nameof(AppendSpans))]
    public void DecideEverything() => DecideAll();

    [IterationCleanup(Target = nameof(AppendSmallBurst))]
    public void DecideBurst()
    {
        DecideAll();

        // The batches the burst did not post go back to the pool unused.
        foreach (var batch in _batches.AsSpan(SmallBurst))
        {
            batch.Return();
        }
    }

    [Benchmark(OperationsPerInvoke = Spans, Description = "append + decide (default policies)")]
    public void AppendAndDecide()
    {
        PostAll();
        DecideAll();
    }

    private void PostAll(int requests = Requests)
    {
        foreach (var batch in _batches.AsSpan(0, requests))
        {
            _traces.Append(batch, sequenceNr: 0);
        }
    }

    /// <summary>Moves the clock past decision-wait, so the next tick decides every buffered trace.</summary>
    private void DecideAll()
    {
        _clock.Advance(_options.DecisionWait + _options.TickInterval);
        _traces.Tick();
        _budget.ForgetArrivedBefore(_clock.GetTimestamp());
        if (_budget.BufferedTraces != 0)
        {
            throw new InvalidOperationException($"{_budget.BufferedTraces} traces were left undecided.");
        }
    }
}
