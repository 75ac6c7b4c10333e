namespace OtelTailSampler.Otlp;

/// <summary>sampler.receivers.otlp: where the node listens for OTLP and how much one request may carry.</summary>
public sealed record OtlpReceiverOptions
{
    /// <summary>OTLP/gRPC listen address (HTTP/2 without TLS).</summary>
    public string GrpcEndpoint { get; init; } = "0.0.0.0:4317";

    /// <summary>Largest gRPC message accepted, checked after decompression.</summary>
    public long GrpcMaxRecvMsgSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>OTLP/HTTP listen address.</summary>
    public string HttpEndpoint { get; init; } = "0.0.0.0:4318";

    /// <summary>Largest HTTP body accepted, checked before and after decompression.</summary>
    public long HttpMaxRequestBodySize { get; init; } = 20L * 1024 * 1024;

    /// <summary>Retry-After sent with 503 when the node pushes back.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);
}
