using Microsoft.Extensions.Logging;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Pipeline;

/// <summary>
/// The tail-sampling pipeline: trace requests are split by owning worker and handed to the shard workers;
/// metrics and logs go to the exporter as they are (correlation and rollups come with later issues).
/// </summary>
public sealed class SamplingPipeline : ITelemetryPipeline, IAsyncDisposable
{
    private readonly ShardRouter _router;
    private readonly ShardWorker[] _workers;
    private readonly ITelemetryExporter _exporter;
    private readonly ITimer _tick;
    private int _stopped;

    public SamplingPipeline(SamplingOptions options, ShardingOptions sharding, ITelemetryExporter exporter, SamplerMetrics metrics,
        TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sharding);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _exporter = exporter;
        var workers = sharding.EffectiveWorkers;
        _router = new ShardRouter(sharding.Shards, workers);
        var logger = loggerFactory.CreateLogger<SamplingPipeline>();

        // Each worker holds its share of the node's limits and rates, so none of them needs a lock.
        _workers = new ShardWorker[workers];
        for (var i = 0; i < workers; i++)
        {
            var policies = PolicySet.Create(options.Policies, 1.0 / workers, timeProvider);
            _workers[i] = new ShardWorker(i, options, policies, exporter, metrics, timeProvider, logger,
                Math.Max(1, options.MaxBufferedBytes / workers), Math.Max(1, options.MaxTraces / workers));
            _workers[i].Start();
        }

        metrics.ObserveBuffers(() => _workers.Sum(w => (long)w.BufferedTraces), () => _workers.Sum(w => w.BufferedBytes));
        _tick = timeProvider.CreateTimer(_ => Tick(), null, options.TickInterval, options.TickInterval);
    }

    internal ShardRouter Router => _router;

    internal IReadOnlyList<ShardWorker> Workers => _workers;

    public async ValueTask<PipelineOutcome> AcceptAsync(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, CancellationToken cancellationToken)
    {
        if (signal != OtlpSignal.Traces)
        {
            return _exporter.TryEnqueue(signal, request, itemCount) ? PipelineOutcome.Accepted : PipelineOutcome.Overloaded;
        }

        var (_, batches, _) = TraceRequestSplitter.Split(request, _router);
        for (var i = 0; i < batches.Length; i++)
        {
            if (batches[i] is { } batch)
            {
                await _workers[i].PostAsync(batch, cancellationToken);
            }
        }

        return PipelineOutcome.Accepted;
    }

    /// <summary>Completes once every worker has handled everything posted before the call.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_workers.Select(w => w.WhenIdleAsync(cancellationToken)));

    /// <summary>Stops the workers; each decides what it still buffers and hands kept traces to the exporter.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _tick.DisposeAsync();
        await Task.WhenAll(_workers.Select(w => w.StopAsync(cancellationToken)));
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private void Tick()
    {
        foreach (var worker in _workers)
        {
            worker.PostTick();
        }
    }
}
