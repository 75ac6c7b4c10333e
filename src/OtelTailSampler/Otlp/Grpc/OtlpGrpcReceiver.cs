using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OtelTailSampler.Otlp.Grpc;

/// <summary>
/// OTLP/gRPC: the unary Export of TraceService, MetricsService and LogsService, written directly on Kestrel's
/// HTTP/2 (grpc/doc/PROTOCOL-HTTP2.md). One request frame in, one response frame and grpc-status out.
/// </summary>
public sealed partial class OtlpGrpcReceiver(OtlpIngest ingest, OtlpReceiverOptions options, ILogger<OtlpGrpcReceiver> logger)
{
    private const string Transport = "grpc";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "POST";
            return;
        }

        var contentType = request.ContentType;
        if (contentType is null || !contentType.StartsWith(GrpcProtocol.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            WriteTrailersOnly(response, GrpcStatusCode.Internal, $"Content-Type '{contentType}' is not supported; expected {GrpcProtocol.ContentType}.");
            return;
        }

        response.ContentType = GrpcProtocol.ContentType;
        if (OtlpSignalExtensions.FromGrpcPath(request.Path.Value) is not { } signal)
        {
            WriteTrailersOnly(response, GrpcStatusCode.Unimplemented, $"Method {request.Path} is not implemented.");
            return;
        }

        using var body = new PooledBufferWriter();
        var max = options.GrpcMaxRecvMsgSize;
        if (await RequestBody.ReadAsync(request.BodyReader, max + GrpcProtocol.FrameHeaderLength, body, context.RequestAborted) == BodyReadResult.TooLarge)
        {
            ingest.Refused(signal, Transport, "too_large");
            WriteTrailersOnly(response, GrpcStatusCode.ResourceExhausted, $"Received message larger than max ({max} bytes).");
            return;
        }

        var (status, message, payload) = Unframe(body.WrittenMemory, request.Headers[GrpcProtocol.EncodingHeader].ToString(), max, out var inflated);
        using (inflated)
        {
            if (status != GrpcStatusCode.Ok)
            {
                if (status == GrpcStatusCode.Unimplemented)
                {
                    response.Headers[GrpcProtocol.AcceptEncodingHeader] = "gzip";
                }

                LogRefused(signal, status, message);
                ingest.Refused(signal, Transport, status switch
                {
                    GrpcStatusCode.ResourceExhausted => "too_large",
                    GrpcStatusCode.InvalidArgument => "malformed",
                    _ => "unsupported",
                });
                WriteTrailersOnly(response, status, message);
                return;
            }

            var result = await ingest.IngestAsync(signal, Transport, payload, context.RequestAborted);
            switch (result.Status)
            {
                case IngestStatus.Malformed:
                    WriteTrailersOnly(response, GrpcStatusCode.InvalidArgument, result.Message);
                    return;
                case IngestStatus.Overloaded:
                    WriteTrailersOnly(response, GrpcStatusCode.Unavailable, result.Message);
                    return;
                default:
                    await WriteResponseAsync(response, OtlpResponses.Success(signal, result.RejectedItems, result.Message), context.RequestAborted);
                    return;
            }
        }
    }

    /// <summary>
    /// Takes the single message frame out of a unary request body, inflating it when the frame says so.
    /// <paramref name="inflated"/> holds the inflated bytes (to dispose) when there were any.
    /// </summary>
    internal static (GrpcStatusCode Status, string Message, ReadOnlyMemory<byte> Payload) Unframe(
        ReadOnlyMemory<byte> body, string encoding, long maxMessageSize, out PooledBufferWriter? inflated)
    {
        inflated = null;
        if (!GrpcProtocol.TryReadFrameHeader(body.Span, out var compressed, out var length))
        {
            return (GrpcStatusCode.InvalidArgument, body.IsEmpty ? "No request message was received." : "Incomplete message frame header.", default);
        }

        if (length > maxMessageSize)
        {
            return (GrpcStatusCode.ResourceExhausted, $"Received message larger than max ({length} vs. {maxMessageSize} bytes).", default);
        }

        var available = body.Length - GrpcProtocol.FrameHeaderLength;
        if (length > available)
        {
            return (GrpcStatusCode.InvalidArgument, $"Incomplete message: the frame declares {length} bytes but the request carried {available}.", default);
        }

        if (length < available)
        {
            return (GrpcStatusCode.InvalidArgument, "Unary Export takes exactly one message; more data followed it.", default);
        }

        var payload = body.Slice(GrpcProtocol.FrameHeaderLength, (int)length);
        if (!compressed)
        {
            return (GrpcStatusCode.Ok, string.Empty, payload);
        }

        if (string.IsNullOrEmpty(encoding) || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return (GrpcStatusCode.Internal, "The message is flagged as compressed but no grpc-encoding was given.", default);
        }

        if (!encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
        {
            return (GrpcStatusCode.Unimplemented, $"grpc-encoding '{encoding}' is not supported; use gzip.", default);
        }

        inflated = new PooledBufferWriter(Math.Min((int)length * 4, 1024 * 1024));
        return RequestBody.Gunzip(payload, maxMessageSize, inflated) switch
        {
            BodyReadResult.TooLarge => (GrpcStatusCode.ResourceExhausted, $"Decompressed message larger than max ({maxMessageSize} bytes).", default),
            BodyReadResult.Corrupt => (GrpcStatusCode.InvalidArgument, "The gzip-compressed message is corrupt.", default),
            _ => (GrpcStatusCode.Ok, string.Empty, inflated.WrittenMemory),
        };
    }

    private static async Task WriteResponseAsync(HttpResponse response, IMessage message, CancellationToken cancellationToken)
    {
        var size = message.CalculateSize();
        var writer = response.BodyWriter;
        var span = writer.GetSpan(GrpcProtocol.FrameHeaderLength + size);
        GrpcProtocol.WriteFrameHeader(span, compressed: false, size);
        message.WriteTo(span.Slice(GrpcProtocol.FrameHeaderLength, size));
        writer.Advance(GrpcProtocol.FrameHeaderLength + size);
        await writer.FlushAsync(cancellationToken);
        response.AppendTrailer(GrpcProtocol.StatusTrailer, "0");
    }

    // A response with no message carries its status in the headers ("trailers-only"), as gRPC servers do.
    private static void WriteTrailersOnly(HttpResponse response, GrpcStatusCode status, string? message)
    {
        response.Headers[GrpcProtocol.StatusTrailer] = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(message))
        {
            response.Headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.EncodeMessage(message);
        }
    }

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "Refused an OTLP/gRPC {Signal} request with {Status}: {Reason}")]
    private partial void LogRefused(OtlpSignal signal, GrpcStatusCode status, string reason);
}
