using OtelTailSampler.Otlp;

namespace OtelTailSampler.Tests.Support;

/// <summary>One request that reached <see cref="OtlpTestSink"/>, whatever it was answered.</summary>
/// <param name="Signal">The signal named by the path; null when the path is not an OTLP one.</param>
/// <param name="Encoding">grpc-encoding (gRPC) or Content-Encoding (HTTP) of the request, null when absent.</param>
/// <param name="Headers">Request headers, names lower-cased, repeated values joined by ", ".</param>
/// <param name="BodyBytes">Body length as received, before decompression (and with the gRPC frame header).</param>
/// <param name="Accepted">Whether the data was decoded and stored.</param>
/// <param name="Answer">What the sink answered: "OK", "UNAVAILABLE", "HTTP 503", "stalled" ...</param>
public sealed record OtlpSinkCall(
    OtlpSinkTransport Transport,
    OtlpSignal? Signal,
    string Path,
    string? Encoding,
    IReadOnlyDictionary<string, string> Headers,
    int BodyBytes,
    bool Accepted,
    string Answer);
