namespace OtelTailSampler.Export.Otlp;

/// <summary>The OTLP transports the exporter speaks (the Collector's otlp and otlphttp exporters).</summary>
public enum OtlpExportProtocol
{
    /// <summary>OTLP/gRPC: unary Export calls over HTTP/2; plain http:// endpoints use prior knowledge.</summary>
    Grpc,

    /// <summary>OTLP/HTTP with binary protobuf bodies, POSTed to the endpoint plus /v1/{signal}.</summary>
    HttpProtobuf,
}
