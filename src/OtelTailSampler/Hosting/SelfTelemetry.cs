using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OtelTailSampler.Otlp;
using SdkProtocol = OpenTelemetry.Exporter.OtlpExportProtocol;
using SamplerProtocol = OtelTailSampler.Export.Otlp.OtlpExportProtocol;

namespace OtelTailSampler.Hosting;

/// <summary>
/// The node's own metrics through the OpenTelemetry SDK: one MeterProvider over the instruments of the
/// "OtelTailSampler" meter, scraped as Prometheus text at GET /metrics on the admin listener and, when
/// sampler.telemetry.otlp.endpoint is set, also pushed over OTLP.
/// </summary>
internal static class SelfTelemetry
{
    public const string ScrapePath = "/metrics";

    private const string ServiceName = "otel-tail-sampler";

    public static void AddServices(IServiceCollection services, TelemetryOptions options)
    {
        var version = typeof(SelfTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: version))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ReceiverMetrics.MeterName);

                // Scrapes are rare and each should see the counters as they are, not a copy up to 300 ms old.
                metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (options.OtlpEndpoint is { } endpoint)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Protocol = options.OtlpProtocol == SamplerProtocol.HttpProtobuf ? SdkProtocol.HttpProtobuf : SdkProtocol.Grpc;
                        exporter.Endpoint = options.OtlpProtocol == SamplerProtocol.HttpProtobuf ? WithMetricsPath(endpoint) : endpoint;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = Math.Max(1, (int)options.Interval.TotalMilliseconds);
                    });
                }
            });
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) => metrics.AddView(OnlyThisNode(provider.GetService<IMeterFactory>())));
    }

    /// <summary>Serves GET /metrics to connections of the admin listener; every other request goes on down the pipeline.</summary>
    public static void UseScrapeEndpoint(IApplicationBuilder app, Func<HttpContext, bool> onAdminListener) =>
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            string.Equals(context.Request.Path.Value, ScrapePath, StringComparison.Ordinal)
            && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            && onAdminListener(context));

    // The SDK listens to every meter of that name in the process; a node reports only the instruments made by its
    // own host's meter factory (and those made without one, as the exporter's are), not another node's in the same process.
    private static Func<Instrument, MetricStreamConfiguration?> OnlyThisNode(IMeterFactory? factory) =>
        instrument => instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, factory) ? null : MetricStreamConfiguration.Drop;

    // As the node's own exporter does: the SDK takes an OTLP/HTTP endpoint set in code as the full URL.
    private static Uri WithMetricsPath(Uri endpoint)
    {
        var builder = new UriBuilder(endpoint);
        builder.Path = builder.Path.TrimEnd('/') + OtlpSignal.Metrics.HttpPath();
        return builder.Uri;
    }
}
