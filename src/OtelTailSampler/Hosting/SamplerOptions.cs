using OtelTailSampler.Admin;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Hosting;

/// <summary>Everything under `sampler { }`, bound from HOCON.</summary>
public sealed record SamplerOptions
{
    public NodeOptions Node { get; init; } = new();

    public OtlpReceiverOptions Receivers { get; init; } = new();

    /// <summary>sampler.pipeline.mode.</summary>
    public PipelineMode PipelineMode { get; init; } = PipelineMode.Sample;

    public ShardingOptions Sharding { get; init; } = new();

    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>sampler.decisions: the decisions replicated across the cluster.</summary>
    public Decisions.DecisionsOptions Decisions { get; init; } = new();

    /// <summary>sampler.journal; used by the sampling pipeline.</summary>
    public Persistence.JournalOptions Journal { get; init; } = new();

    public ExportersOptions Exporters { get; init; } = new();

    public AdminOptions Admin { get; init; } = new();

    public Cluster.ClusterOptions Cluster { get; init; } = new();

    public TelemetryOptions Telemetry { get; init; } = new();
}
