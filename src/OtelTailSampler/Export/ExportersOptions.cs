using OtelTailSampler.Export.File;
using OtelTailSampler.Export.Otlp;

namespace OtelTailSampler.Export;

/// <summary>sampler.exporters: an OTLP backend when an endpoint is set, otherwise files.</summary>
public sealed record ExportersOptions
{
    /// <summary>The OTLP exporter; null when no endpoint is configured.</summary>
    public OtlpExporterOptions? Otlp { get; init; }

    public FileExporterOptions File { get; init; } = new();
}
