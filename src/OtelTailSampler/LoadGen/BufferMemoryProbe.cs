using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Wire;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// Measures memory per buffered span: fills a sampling pipeline (the node's own, with the given settings) with
/// generated traces that none of its timers will decide, then compares the managed heap after a full collection
/// with the heap before. The requests are handed over as copies, as the receivers do, and nothing else in the
/// process should allocate meanwhile. Growth of the shards' tables (slab, dictionary, queues) is included,
/// amortized as the tables double.
/// </summary>
public static class BufferMemoryProbe
{
    public static async Task<BufferMemoryResult> MeasureAsync(
        SamplingOptions sampling, ShardingOptions sharding, TrafficOptions traffic, long seed, int spans, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        ArgumentNullException.ThrowIfNull(sharding);
        ArgumentNullException.ThrowIfNull(traffic);
        ArgumentOutOfRangeException.ThrowIfLessThan(spans, 1);

        // Nothing is decided while the probe fills: no deadline, no root trigger, no limits in reach.
        var holdAll = sampling with
        {
            DecisionWait = TimeSpan.FromHours(1),
            RootSettleDelay = TimeSpan.Zero,
            MaxTraces = int.MaxValue,
            MaxBufferedBytes = long.MaxValue,
            MaxSpansPerTrace = int.MaxValue,
            MaxBytesPerTrace = long.MaxValue,
        };
        var model = new TrafficModel(seed, traffic with { LogsPerSpan = 0, MetricSeries = 0 });
        using var metrics = new SamplerMetrics();
        var pipeline = new SamplingPipeline(holdAll, sharding, new DiscardingExporter(), metrics, TimeProvider.System, NullLoggerFactory.Instance);
        try
        {
            using var generator = new TrafficGenerator(model);

            // A first, smaller fill warms up code and pools; what it buffers stays, and the measured fill comes on top,
            // so the figure is what one more buffered span costs a node that already holds traces.
            var warm = await FillAsync(pipeline, generator, 1_000_000_000, Math.Max(1, spans / 10), cancellationToken);
            var accountedBefore = pipeline.BufferedBytes;
            var before = SettledHeap();
            var measured = await FillAsync(pipeline, generator, 0, spans, cancellationToken);
            var heap = SettledHeap() - before;
            GC.KeepAlive(warm);
            return measured with { HeapBytes = heap, AccountedBytes = pipeline.BufferedBytes - accountedBefore };
        }
        finally
        {
            await pipeline.DisposeAsync();
        }
    }

    private static async Task<BufferMemoryResult> FillAsync(SamplingPipeline pipeline, TrafficGenerator generator, long firstBatch, int spans, CancellationToken cancellationToken)
    {
        long buffered = 0, traces = 0, wire = 0, requestBytes = 0;
        for (var index = firstBatch; buffered < spans; index++)
        {
            using var batch = generator.Generate(index);
            var request = batch.Requests[0];
            var owned = request.Body.ToArray();
            wire += SpanWireBytes(owned);
            requestBytes += owned.Length;
            buffered += request.Items;
            traces += batch.Traces;
            await pipeline.AcceptAsync(OtlpSignal.Traces, owned, request.Items, cancellationToken);
        }

        await pipeline.WhenIdleAsync(cancellationToken);
        return new BufferMemoryResult(buffered, traces, wire, requestBytes, 0, 0);
    }

    private static long SettledHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>The lengths of every Span message in an ExportTraceServiceRequest.</summary>
    internal static long SpanWireBytes(ReadOnlySpan<byte> request)
    {
        long total = 0;
        var requestReader = new ProtoReader(request);
        while (requestReader.TryReadTag(out var field, out var wireType))
        {
            if (field != OtlpWire.RequestResources || wireType != WireType.LengthDelimited)
            {
                requestReader.SkipField(field, wireType);
                continue;
            }

            var resource = new ProtoReader(requestReader.ReadLengthDelimited());
            while (resource.TryReadTag(out field, out wireType))
            {
                if (field != OtlpWire.ResourceScopes || wireType != WireType.LengthDelimited)
                {
                    resource.SkipField(field, wireType);
                    continue;
                }

                var scope = new ProtoReader(resource.ReadLengthDelimited());
                while (scope.TryReadTag(out field, out wireType))
                {
                    if (field == OtlpWire.ScopeItems && wireType == WireType.LengthDelimited)
                    {
                        total += scope.ReadLengthDelimited().Length;
                    }
                    else
                    {
                        scope.SkipField(field, wireType);
                    }
                }
            }
        }

        return total;
    }
}
