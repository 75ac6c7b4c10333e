using OtelTailSampler.Export.File;
using OtelTailSampler.Export.Otlp;

namespace OtelTailSampler.Export;

/// <summary>sampler.exporters: an OTLP backend when an endpoint is set, otherwise files.</summary>
public sealed record ExportersOptions
{
    /// <summary>The OTLP exporter; null when no endpoint is configured.</summary>
    public OtlpExporterOptions? Otlp { get; init; }

    public FileExporterOptions File { get; init; } = new();

    /// <summary>sampler.exporters.unhealthy-after: how long a signal's exports must keep failing before /readyz says so.</summary>
    public TimeSpan UnhealthyAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>sampler.exporters.failure-log-interval: at most one failure warning per signal per this interval.</summary>
    public TimeSpan FailureLogInterval { get; init; } = TimeSpan.FromSeconds(10);
}
