namespace OtelTailSampler.LoadGen;

/// <summary>The OTLP transport the load generator speaks.</summary>
public enum LoadGenProtocol
{
    /// <summary>OTLP/gRPC over HTTP/2 with prior knowledge (port 4317).</summary>
    Grpc,

    /// <summary>OTLP/HTTP with binary protobuf bodies (port 4318).</summary>
    Http,
}
