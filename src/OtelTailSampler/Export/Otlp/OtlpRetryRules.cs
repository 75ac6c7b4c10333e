using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Rpc;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// Which failures OTLP says to retry (opentelemetry-proto docs/specification.md, "Failures" of OTLP/gRPC and
/// OTLP/HTTP) and how long the server asked the client to wait.
/// </summary>
internal static class OtlpRetryRules
{
    private static readonly string RetryInfoTypeUrl = "type.googleapis.com/" + RetryInfo.Descriptor.FullName;

    /// <summary>
    /// The spec's table: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are
    /// retryable; RESOURCE_EXHAUSTED only when the server signals recovery is possible by sending RetryInfo.
    /// </summary>
    public static bool IsRetryable(GrpcStatusCode code, bool hasRetryInfo) => code switch
    {
        GrpcStatusCode.Cancelled or
        GrpcStatusCode.DeadlineExceeded or
        GrpcStatusCode.Aborted or
        GrpcStatusCode.OutOfRange or
        GrpcStatusCode.Unavailable or
        GrpcStatusCode.DataLoss => true,
        GrpcStatusCode.ResourceExhausted => hasRetryInfo,
        _ => false,
    };

    /// <summary>429, 502, 503 and 504 are retried; every other 4xx and 5xx MUST NOT be.</summary>
    public static bool IsRetryable(HttpStatusCode status) => (int)status is 429 or 502 or 503 or 504;

    /// <summary>
    /// The gRPC status that a non-200 HTTP answer to a gRPC call stands for (grpc/doc/http-grpc-status-mapping.md),
    /// as when a proxy answers instead of the server.
    /// </summary>
    public static GrpcStatusCode FromHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 => GrpcStatusCode.Internal,
        401 => GrpcStatusCode.Unauthenticated,
        403 => GrpcStatusCode.PermissionDenied,
        404 => GrpcStatusCode.Unimplemented,
        429 or 502 or 503 or 504 => GrpcStatusCode.Unavailable,
        _ => GrpcStatusCode.Unknown,
    };

    /// <summary>Retry-After as a delay from <paramref name="now"/>: delta-seconds or an HTTP date.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>
    /// Decodes grpc-status-details-bin: base64 (padding optional, as gRPC sends it without) of a google.rpc.Status.
    /// Null when absent or unreadable; a broken details header must not turn a retryable error into a crash.
    /// </summary>
    public static Status? ParseStatusDetails(string? headerValue)
    {
        if (string.IsNullOrEmpty(headerValue))
        {
            return null;
        }

        var base64 = headerValue.Trim();
        if (base64.Length % 4 != 0)
        {
            base64 = base64.PadRight(base64.Length + 4 - (base64.Length % 4), '=');
        }

        try
        {
            return Status.Parser.ParseFrom(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>The retry_delay of a RetryInfo among the status details, if there is one.</summary>
    public static TimeSpan? RetryInfoDelay(Status? status)
    {
        if (status is null)
        {
            return null;
        }

        foreach (var detail in status.Details)
        {
            if (detail.TypeUrl != RetryInfoTypeUrl)
            {
                continue;
            }

            try
            {
                var info = RetryInfo.Parser.ParseFrom(detail.Value);
                return info.RetryDelay?.ToTimeSpan() ?? TimeSpan.Zero;
            }
            catch (InvalidProtocolBufferException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>The name the gRPC docs use for a code: UNAVAILABLE, RESOURCE_EXHAUSTED ...</summary>
    public static string Name(GrpcStatusCode code) => code switch
    {
        GrpcStatusCode.Ok => "OK",
        GrpcStatusCode.Cancelled => "CANCELLED",
        GrpcStatusCode.Unknown => "UNKNOWN",
        GrpcStatusCode.InvalidArgument => "INVALID_ARGUMENT",
        GrpcStatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        GrpcStatusCode.NotFound => "NOT_FOUND",
        GrpcStatusCode.AlreadyExists => "ALREADY_EXISTS",
        GrpcStatusCode.PermissionDenied => "PERMISSION_DENIED",
        GrpcStatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        GrpcStatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        GrpcStatusCode.Aborted => "ABORTED",
        GrpcStatusCode.OutOfRange => "OUT_OF_RANGE",
        GrpcStatusCode.Unimplemented => "UNIMPLEMENTED",
        GrpcStatusCode.Internal => "INTERNAL",
        GrpcStatusCode.Unavailable => "UNAVAILABLE",
        GrpcStatusCode.DataLoss => "DATA_LOSS",
        GrpcStatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => ((int)code).ToString(CultureInfo.InvariantCulture),
    };
}
