namespace OtelTailSampler.Export.Otlp;

/// <summary>How request bodies are compressed on the wire.</summary>
public enum OtlpExportCompression
{
    /// <summary>gzip: grpc-encoding on gRPC, Content-Encoding on HTTP. The Collector's default.</summary>
    Gzip,

    /// <summary>Uncompressed bodies.</summary>
    None,
}
