using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Export;
using OtelTailSampler.Export.File;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Hosting;

namespace OtelTailSampler.Tests.Export;

public sealed class ExporterFactoryTests
{
    [Fact]
    public async Task Both_exporters_get_the_exporters_level_failure_settings()
    {
        var settings = new ExportersOptions
        {
            UnhealthyAfter = TimeSpan.FromMinutes(2),
            FailureLogInterval = TimeSpan.FromMinutes(1),
            File = new FileExporterOptions { Path = Path.Combine(Path.GetTempPath(), "never-written-" + Guid.NewGuid().ToString("N")) },
        };

        await using var file = ExporterFactory.Create(settings, new NodeOptions(), NullLoggerFactory.Instance, TimeProvider.System);
        await using var otlp = ExporterFactory.Create(
            settings with { Otlp = new OtlpExporterOptions { Endpoint = new Uri("http://127.0.0.1:4317") } },
            new NodeOptions(), NullLoggerFactory.Instance, TimeProvider.System);

        Assert.IsType<FileExporter>(file);
        Assert.Equal(TimeSpan.FromMinutes(2), file.Health.UnhealthyAfter);
        var otlpExporter = Assert.IsType<OtlpExporter>(otlp);
        Assert.Equal(TimeSpan.FromMinutes(2), otlpExporter.Health.UnhealthyAfter);
        Assert.Equal(TimeSpan.FromMinutes(1), otlpExporter.Options.FailureLogInterval);
    }
}
