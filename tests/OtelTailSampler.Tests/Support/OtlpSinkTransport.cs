namespace OtelTailSampler.Tests.Support;

/// <summary>The two ports of <see cref="OtlpTestSink"/>.</summary>
public enum OtlpSinkTransport
{
    /// <summary>OTLP/gRPC on an HTTP/2-only (prior knowledge) port.</summary>
    Grpc,

    /// <summary>OTLP/HTTP with protobuf bodies.</summary>
    Http,
}
