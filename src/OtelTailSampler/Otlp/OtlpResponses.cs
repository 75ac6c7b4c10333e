using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace OtelTailSampler.Otlp;

/// <summary>Builds the Export{Signal}ServiceResponse for a request, with partial_success when items were rejected.</summary>
public static class OtlpResponses
{
    public static IMessage Success(OtlpSignal signal, long rejectedItems, string? message)
    {
        var rejected = rejectedItems > 0;
        var error = message ?? string.Empty;
        return signal switch
        {
            OtlpSignal.Traces => rejected
                ? new ExportTraceServiceResponse { PartialSuccess = new() { RejectedSpans = rejectedItems, ErrorMessage = error } }
                : new ExportTraceServiceResponse(),
            OtlpSignal.Metrics => rejected
                ? new ExportMetricsServiceResponse { PartialSuccess = new() { RejectedDataPoints = rejectedItems, ErrorMessage = error } }
                : new ExportMetricsServiceResponse(),
            OtlpSignal.Logs => rejected
                ? new ExportLogsServiceResponse { PartialSuccess = new() { RejectedLogRecords = rejectedItems, ErrorMessage = error } }
                : new ExportLogsServiceResponse(),
            _ => throw new ArgumentOutOfRangeException(nameof(signal)),
        };
    }
}
