using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Otlp.Json;

namespace OtelTailSampler.Otlp.Http;

/// <summary>
/// OTLP/HTTP: POST /v1/traces, /v1/metrics, /v1/logs with protobuf or JSON bodies, optionally gzip-encoded.
/// Responses use the request's encoding; errors carry a google.rpc.Status body.
/// </summary>
public sealed partial class OtlpHttpReceiver(OtlpIngest ingest, OtlpReceiverOptions options, ILogger<OtlpHttpReceiver> logger)
{
    private const string Transport = "http";

    // Reasons of otelsampler.receiver.refused_requests, besides OtlpIngest's malformed and overloaded.
    private const string Unsupported = "unsupported";
    private const string Malformed = "malformed";
    private const string ProtobufContentType = "application/x-protobuf";
    private const string JsonContentType = "application/json";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (OtlpSignalExtensions.FromHttpPath(request.Path.Value) is not { } signal)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            response.Headers.Allow = "POST";
            ingest.Refused(signal, Transport, Unsupported);
            await WriteErrorAsync(response, StatusCodes.Status405MethodNotAllowed, json: false, GrpcStatusCode.Unimplemented, $"{request.Method} is not allowed on {request.Path}; use POST.");
            return;
        }

        bool json;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType))
        {
            ingest.Refused(signal, Transport, Unsupported);
            await WriteErrorAsync(response, StatusCodes.Status415UnsupportedMediaType, json: false, GrpcStatusCode.InvalidArgument, $"Content-Type '{request.ContentType}' is not supported; use {ProtobufContentType} or {JsonContentType}.");
            return;
        }
        else if (mediaType.MediaType.Equals(ProtobufContentType, StringComparison.OrdinalIgnoreCase))
        {
            json = false;
        }
        else if (mediaType.MediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase))
        {
            json = true;
        }
        else
        {
            ingest.Refused(signal, Transport, Unsupported);
            await WriteErrorAsync(response, StatusCodes.Status415UnsupportedMediaType, json: false, GrpcStatusCode.InvalidArgument, $"Content-Type '{request.ContentType}' is not supported; use {ProtobufContentType} or {JsonContentType}.");
            return;
        }

        var limit = options.HttpMaxRequestBodySize;
        if (request.ContentLength > limit)
        {
            await WriteTooLargeAsync(response, json, signal, request.ContentLength.Value);
            return;
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            ingest.Refused(signal, Transport, Unsupported);
            await WriteErrorAsync(response, StatusCodes.Status415UnsupportedMediaType, json, GrpcStatusCode.InvalidArgument, $"Content-Encoding '{encoding}' is not supported; use gzip or none.");
            return;
        }

        using var body = new PooledBufferWriter();
        if (await RequestBody.ReadAsync(request.BodyReader, limit, body, context.RequestAborted) == BodyReadResult.TooLarge)
        {
            await WriteTooLargeAsync(response, json, signal, null);
            return;
        }

        using var inflated = gzip ? new PooledBufferWriter(Math.Min(body.WrittenCount * 4, 1024 * 1024)) : null;
        var payload = body.WrittenMemory;
        if (inflated is not null)
        {
            switch (RequestBody.Gunzip(payload, limit, inflated))
            {
                case BodyReadResult.TooLarge:
                    await WriteTooLargeAsync(response, json, signal, null);
                    return;
                case BodyReadResult.Corrupt:
                    ingest.Refused(signal, Transport, Malformed);
                    await WriteErrorAsync(response, StatusCodes.Status400BadRequest, json, GrpcStatusCode.InvalidArgument, "The gzip-encoded body is corrupt.");
                    return;
            }

            payload = inflated.WrittenMemory;
        }

        if (json)
        {
            try
            {
                payload = JsonToProtobuf(signal, payload.Span);
            }
            catch (OtlpJsonException e)
            {
                LogRefused(signal, e.Message);
                ingest.Refused(signal, Transport, Malformed);
                await WriteErrorAsync(response, StatusCodes.Status400BadRequest, json, GrpcStatusCode.InvalidArgument, $"Invalid OTLP JSON {signal} request: {e.Message}");
                return;
            }
        }

        var result = await ingest.IngestAsync(signal, Transport, payload, context.RequestAborted);
        switch (result.Status)
        {
            case IngestStatus.Malformed:
                LogRefused(signal, result.Message);
                await WriteErrorAsync(response, StatusCodes.Status400BadRequest, json, GrpcStatusCode.InvalidArgument, result.Message);
                return;
            case IngestStatus.Overloaded:
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await WriteErrorAsync(response, StatusCodes.Status503ServiceUnavailable, json, GrpcStatusCode.Unavailable, result.Message);
                return;
            default:
                response.StatusCode = StatusCodes.Status200OK;
                await WriteMessageAsync(response, json, OtlpResponses.Success(signal, result.RejectedItems, result.Message));
                return;
        }
    }

    // JSON is parsed into messages once and re-encoded, so everything after this point sees protobuf bytes.
    private static byte[] JsonToProtobuf(OtlpSignal signal, ReadOnlySpan<byte> utf8Json) => signal switch
    {
        OtlpSignal.Traces => OtlpJson.Parse<ExportTraceServiceRequest>(utf8Json).ToByteArray(),
        OtlpSignal.Metrics => OtlpJson.Parse<ExportMetricsServiceRequest>(utf8Json).ToByteArray(),
        _ => OtlpJson.Parse<ExportLogsServiceRequest>(utf8Json).ToByteArray(),
    };

    private Task WriteTooLargeAsync(HttpResponse response, bool json, OtlpSignal signal, long? declared)
    {
        var size = declared is { } d ? $"{d} bytes" : "the body";
        LogRefused(signal, "request body too large");
        ingest.Refused(signal, Transport, "too_large");
        return WriteErrorAsync(response, StatusCodes.Status413RequestEntityTooLarge, json, GrpcStatusCode.ResourceExhausted,
            $"Request body too large: {size} is over the limit of {options.HttpMaxRequestBodySize} bytes (max-request-body-size).");
    }

    private static Task WriteErrorAsync(HttpResponse response, int httpStatus, bool json, GrpcStatusCode code, string? message)
    {
        response.StatusCode = httpStatus;
        return WriteMessageAsync(response, json, new Google.Rpc.Status { Code = (int)code, Message = message ?? string.Empty });
    }

    private static async Task WriteMessageAsync(HttpResponse response, bool json, IMessage message)
    {
        if (json)
        {
            response.ContentType = JsonContentType;
            await response.WriteAsync(OtlpJson.Format(message));
            return;
        }

        response.ContentType = ProtobufContentType;
        var size = message.CalculateSize();
        response.ContentLength = size;
        var span = response.BodyWriter.GetSpan(size);
        message.WriteTo(span[..size]);
        response.BodyWriter.Advance(size);
        await response.BodyWriter.FlushAsync();
    }

    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "Refused an OTLP/HTTP {Signal} request: {Reason}")]
    private partial void LogRefused(OtlpSignal signal, string? reason);
}
