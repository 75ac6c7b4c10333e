using OtelTailSampler.Export.Otlp;

namespace OtelTailSampler.Tests.Export.Otlp;

public sealed class OtlpExporterOptionsTests
{
    [Fact]
    public void Defaults_mirror_the_collector_and_are_valid()
    {
        var options = new OtlpExporterOptions();

        options.Validate();
        Assert.Equal(OtlpExportProtocol.Grpc, options.Protocol);
        Assert.Equal(OtlpExportCompression.Gzip, options.Compression);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(8192, options.BatchMaxItems);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.BatchDelay);
        Assert.True(options.RetryEnabled);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RetryInitialInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RetryMaxInterval);
        Assert.Equal(TimeSpan.FromSeconds(300), options.RetryMaxElapsedTime);
        Assert.Equal(1.5, options.RetryMultiplier);
        Assert.Equal(0.5, options.RetryRandomizationFactor);
        Assert.Empty(options.Headers);
    }

    [Fact]
    public void Validate_names_the_setting_that_cannot_work()
    {
        var bad = new[]
        {
            (new OtlpExporterOptions { Endpoint = new Uri("ftp://127.0.0.1:4317") }, "Endpoint"),
            (new OtlpExporterOptions { Timeout = TimeSpan.Zero }, "Timeout"),
            (new OtlpExporterOptions { QueueCapacity = 0 }, "QueueCapacity"),
            (new OtlpExporterOptions { RetryMaxInterval = TimeSpan.FromSeconds(1) }, "RetryMaxInterval"),
            (new OtlpExporterOptions { RetryMultiplier = 0.5 }, "RetryMultiplier"),
            (new OtlpExporterOptions { RetryRandomizationFactor = 2 }, "RetryRandomizationFactor"),
        };

        foreach (var (options, name) in bad)
        {
            var error = Assert.ThrowsAny<ArgumentException>(options.Validate);
            Assert.Equal(name, error.ParamName);
        }
    }
}
