using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// OTLP/gRPC as the load generator speaks it: a unary Export is a POST over HTTP/2 (prior knowledge on http://)
/// of one length-prefixed message (<see cref="GrpcProtocol"/>); the status comes in the trailers, or in the
/// headers of a trailers-only answer. UNAVAILABLE and the other codes OTLP retries are <see cref="SendOutcome.Refused"/>.
/// </summary>
internal sealed class GrpcLoadSender : ILoadSender
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcProtocol.ContentType);
    private static readonly TransferCodingWithQualityHeaderValue Trailers = new("trailers");

    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly Uri[] _methodUris;

    public GrpcLoadSender(HttpClient client, Uri endpoint, TimeProvider time)
    {
        _client = client;
        _time = time;
        Endpoint = endpoint;
        _methodUris = [.. Enum.GetValues<OtlpSignal>().Select(s => new Uri(endpoint, s.GrpcPath()))];
    }

    public Uri Endpoint { get; }

    public Task<SendResult> SendAsync(LoadRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, _methodUris[(int)request.Signal])
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ReadOnlyMemoryContent(request.GrpcMessage),
        };
        message.Content.Headers.ContentType = GrpcContentType;
        message.Headers.TE.Add(Trailers);
        message.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader,
            ((long)Math.Ceiling(timeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "m");
        if (request.Compressed)
        {
            message.Headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, "gzip");
        }

        return SendAndDisposeAsync(message, timeout, cancellationToken);
    }

    private async Task<SendResult> SendAndDisposeAsync(HttpRequestMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using (message)
        {
            return await LoadTransport.SendAsync(_client, message, ReadAsync, timeout, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SendResult> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // Not a gRPC answer (a proxy, a wrong port): read the HTTP status as gRPC clients do.
            var mapped = OtlpRetryRules.FromHttpStatus(response.StatusCode);
            var detail = $"HTTP {(int)response.StatusCode} from a gRPC endpoint ({OtlpRetryRules.Name(mapped)})";
            return OtlpRetryRules.IsRetryable(mapped, hasRetryInfo: false)
                ? SendResult.Refused(detail, OtlpRetryRules.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow()))
                : SendResult.Rejected(detail);
        }

        if (Status(response.Headers) is { } early)
        {
            return Interpret(early, []);
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (Status(response.TrailingHeaders) is not { } status)
        {
            return SendResult.Rejected("gRPC answer without grpc-status (INTERNAL)");
        }

        return Interpret(status, body);
    }

    private static SendResult Interpret((GrpcStatusCode Code, string Message, string? Details) status, byte[] body)
    {
        if (status.Code == GrpcStatusCode.Ok)
        {
            // The answer's message behind its 5-byte prefix; the node never compresses it.
            return GrpcProtocol.TryReadFrameHeader(body, out var compressed, out var length) && !compressed
                && length <= (uint)(body.Length - GrpcProtocol.FrameHeaderLength)
                ? PartialSuccess.Read(body.AsSpan(GrpcProtocol.FrameHeaderLength, (int)length))
                : SendResult.Accepted(0, null);
        }

        var retryDelay = OtlpRetryRules.RetryInfoDelay(OtlpRetryRules.ParseStatusDetails(status.Details));
        var detail = $"gRPC {OtlpRetryRules.Name(status.Code)}: {status.Message}";
        return OtlpRetryRules.IsRetryable(status.Code, hasRetryInfo: retryDelay is not null)
            ? SendResult.Refused(detail, retryDelay)
            : SendResult.Rejected(detail);
    }

    private static (GrpcStatusCode Code, string Message, string? Details)? Status(HttpHeaders headers)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusTrailer, out var codes)
            || !int.TryParse(codes.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return null;
        }

        var message = headers.TryGetValues(GrpcProtocol.MessageTrailer, out var messages) ? GrpcProtocol.DecodeMessage(messages.FirstOrDefault() ?? "") : "";
        var details = headers.TryGetValues(GrpcProtocol.StatusDetailsTrailer, out var values) ? values.FirstOrDefault() : null;
        return ((GrpcStatusCode)code, message, details);
    }
}
