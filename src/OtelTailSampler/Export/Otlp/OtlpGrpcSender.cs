using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// OTLP/gRPC without a gRPC library: one unary call is a POST over HTTP/2 (prior knowledge on http://, ALPN on
/// https://) of one length-prefixed message; the status arrives in the trailers, or in the headers of a
/// trailers-only response.
/// </summary>
internal sealed class OtlpGrpcSender : IOtlpSender
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcProtocol.ContentType);
    private static readonly TransferCodingWithQualityHeaderValue Trailers = new("trailers");

    private readonly OtlpHttpTransport _transport;
    private readonly Uri[] _methodUris;
    private readonly string _grpcTimeout;

    public OtlpGrpcSender(OtlpExporterOptions options, OtlpHttpTransport transport)
    {
        _transport = transport;
        // The method path replaces whatever path the endpoint has: gRPC names the service, not a URL.
        _methodUris = [.. Enum.GetValues<OtlpSignal>().Select(s => new Uri(options.Endpoint, s.GrpcPath()))];
        _grpcTimeout = GrpcTimeout(options.Timeout);
    }

    public async Task<ExportAttemptResult> SendAsync(OtlpSignal signal, OtlpPayload payload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _methodUris[(int)signal])
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ReadOnlyMemoryContent(payload.GrpcMessage),
        };
        request.Content.Headers.ContentType = GrpcContentType;
        request.Headers.TE.Add(Trailers);
        request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, _grpcTimeout);
        if (payload.Compressed)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, "gzip");
        }

        _transport.AddHeaders(request);
        return await _transport.SendAsync(request, (response, token) => ReadAsync(signal, response, token), cancellationToken)
            .ConfigureAwait(false);
    }

    public void Dispose() => _transport.Dispose();

    private async Task<ExportAttemptResult> ReadAsync(OtlpSignal signal, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // Not a gRPC answer (a proxy, a wrong port): map the HTTP status as gRPC clients do.
            var mapped = OtlpRetryRules.FromHttpStatus(response.StatusCode);
            var detail = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} from a gRPC endpoint ({OtlpRetryRules.Name(mapped)})";
            return OtlpRetryRules.IsRetryable(mapped, hasRetryInfo: false)
                ? ExportAttemptResult.Retryable(detail, OtlpRetryRules.RetryAfter(response.Headers.RetryAfter, _transport.TimeProvider.GetUtcNow()))
                : ExportAttemptResult.Permanent(detail);
        }

        // Trailers-only: the server failed before sending a message and put the status in the headers.
        if (ReadStatus(response.Headers) is { } early)
        {
            return Interpret(signal, early, []);
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (ReadStatus(response.TrailingHeaders) is not { } status)
        {
            return ExportAttemptResult.Permanent("gRPC response without grpc-status (INTERNAL)");
        }

        return Interpret(signal, status, UnframeResponse(body, response.Headers));
    }

    private static ExportAttemptResult Interpret(OtlpSignal signal, CallStatus status, byte[] message)
    {
        if (status.Code == GrpcStatusCode.Ok)
        {
            return OtlpResponseReader.Accepted(signal, message);
        }

        var retryDelay = OtlpRetryRules.RetryInfoDelay(status.Details);
        var detail = $"gRPC {OtlpRetryRules.Name(status.Code)}: {status.Message}";
        return OtlpRetryRules.IsRetryable(status.Code, hasRetryInfo: retryDelay is not null)
            ? ExportAttemptResult.Retryable(detail, retryDelay)
            : ExportAttemptResult.Permanent(detail);
    }

    private static CallStatus? ReadStatus(HttpHeaders headers)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusTrailer, out var codes)
            || !int.TryParse(codes.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return null;
        }

        var message = headers.TryGetValues(GrpcProtocol.MessageTrailer, out var messages)
            ? GrpcProtocol.DecodeMessage(messages.FirstOrDefault() ?? "")
            : "";
        var details = headers.TryGetValues(GrpcProtocol.StatusDetailsTrailer, out var detailValues)
            ? OtlpRetryRules.ParseStatusDetails(detailValues.FirstOrDefault())
            : null;
        return new CallStatus((GrpcStatusCode)code, message, details);
    }

    // The response message behind its 5-byte prefix; empty when absent or unreadable, which loses only partial-success detail.
    private static byte[] UnframeResponse(byte[] body, HttpResponseHeaders headers)
    {
        if (!GrpcProtocol.TryReadFrameHeader(body, out var compressed, out var length)
            || length > (uint)(body.Length - GrpcProtocol.FrameHeaderLength))
        {
            return [];
        }

        var message = body.AsSpan(GrpcProtocol.FrameHeaderLength, (int)length).ToArray();
        if (!compressed)
        {
            return message;
        }

        var encoding = headers.TryGetValues(GrpcProtocol.EncodingHeader, out var values) ? values.FirstOrDefault() : null;
        if (encoding != "gzip")
        {
            return [];
        }

        try
        {
            using var input = new GZipStream(new MemoryStream(message), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return [];
        }
    }

    // grpc-timeout is at most 8 digits and a unit; milliseconds fit any sane attempt timeout.
    private static string GrpcTimeout(TimeSpan timeout)
    {
        var milliseconds = (long)Math.Ceiling(timeout.TotalMilliseconds);
        return milliseconds <= 99_999_999
            ? milliseconds.ToString(CultureInfo.InvariantCulture) + "m"
            : Math.Min((long)Math.Ceiling(timeout.TotalSeconds), 99_999_999).ToString(CultureInfo.InvariantCulture) + "S";
    }

    private sealed record CallStatus(GrpcStatusCode Code, string Message, Google.Rpc.Status? Details);
}
