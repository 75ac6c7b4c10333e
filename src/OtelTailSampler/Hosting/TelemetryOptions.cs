using OtelTailSampler.Export.Otlp;

namespace OtelTailSampler.Hosting;

/// <summary>sampler.telemetry: the node's own metrics. GET /metrics on the admin endpoint always serves them.</summary>
public sealed record TelemetryOptions
{
    /// <summary>Where the node also pushes them over OTLP; null (the default) pushes nothing.</summary>
    public Uri? OtlpEndpoint { get; init; }

    public OtlpExportProtocol OtlpProtocol { get; init; } = OtlpExportProtocol.Grpc;

    /// <summary>How often they are pushed.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);
}
