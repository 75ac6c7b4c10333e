using OtelTailSampler.Admin;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Hosting;

/// <summary>Everything under `sampler { }`, bound from HOCON.</summary>
public sealed record SamplerOptions
{
    public NodeOptions Node { get; init; } = new();

    public OtlpReceiverOptions Receivers { get; init; } = new();

    public ExportersOptions Exporters { get; init; } = new();

    public AdminOptions Admin { get; init; } = new();
}
