using Microsoft.Extensions.Logging;
using OtelTailSampler.Export.File;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Hosting;

namespace OtelTailSampler.Export;

/// <summary>Picks the node's exporter: the OTLP backend when one is configured, the file exporter otherwise.</summary>
public static class ExporterFactory
{
    /// <param name="meterFactory">The node's meter factory, so that its /metrics reports this exporter's counters and no other node's.</param>
    public static ITelemetryExporter Create(ExportersOptions options, NodeOptions node, ILoggerFactory loggerFactory, TimeProvider timeProvider,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(node);
        // The failure settings live at sampler.exporters, above whichever exporter is chosen.
        if (options.Otlp is { } otlp)
        {
            return new OtlpExporter(
                otlp with { UnhealthyAfter = options.UnhealthyAfter, FailureLogInterval = options.FailureLogInterval },
                loggerFactory.CreateLogger<OtlpExporter>(),
                timeProvider,
                meterFactory);
        }

        return new FileExporter(
            options.File with { UnhealthyAfter = options.UnhealthyAfter, FailureLogInterval = options.FailureLogInterval },
            loggerFactory.CreateLogger<FileExporter>(),
            timeProvider,
            meterFactory);
    }

    /// <summary>What /readyz and the start-up log say the node exports to.</summary>
    public static string Describe(ExportersOptions options) =>
        options.Otlp is { } otlp ? $"OTLP {otlp.Protocol} to {otlp.Endpoint}" : $"OTLP JSON files in {Path.GetFullPath(options.File.Path)}";
}
