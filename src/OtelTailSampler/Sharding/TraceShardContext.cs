using Microsoft.Extensions.Logging;
using OtelTailSampler.Decisions;
using OtelTailSampler.Export;
using OtelTailSampler.Sampling;

namespace OtelTailSampler.Sharding;

/// <summary>
/// What every trace shard on a node is given by the node, read once: the sampling settings, the node's policies
/// (whose rates are the node's), the exporter, the counters, the clock, the node's memory budget and the
/// directory of its live shards. Nothing in it belongs to one shard.
/// </summary>
/// <param name="Journaled">Whether the shards persist their events (sampler.journal.backend is not none).</param>
/// <param name="Replica">The replicated decisions, or null when none are replicated.</param>
/// <param name="RefuseParts">Whether the node refuses parts now (its journal or its export backlog is full).</param>
internal sealed record TraceShardContext(
    SamplingOptions Options,
    PolicySet Policies,
    ITelemetryExporter Exporter,
    SamplerMetrics Metrics,
    TimeProvider Time,
    ILogger Logger,
    NodeTraceBudget Budget,
    LocalTraceShards Directory,
    int Shards,
    bool Journaled,
    DecisionReplica? Replica,
    Func<bool> RefuseParts)
{
    public long ToTicks(TimeSpan duration) => (long)(duration.Ticks * (double)Time.TimestampFrequency / TimeSpan.TicksPerSecond);
}
