using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export.Otlp;

/// <summary>Reads the Export{Signal}ServiceResponse of an accepted request, which may report a partial success.</summary>
internal static class OtlpResponseReader
{
    public static ExportAttemptResult Accepted(OtlpSignal signal, ReadOnlySpan<byte> response)
    {
        if (response.IsEmpty)
        {
            return ExportAttemptResult.Success();
        }

        try
        {
            return signal switch
            {
                OtlpSignal.Traces => ExportTraceServiceResponse.Parser.ParseFrom(response).PartialSuccess is { } traces
                    ? ExportAttemptResult.Success(traces.RejectedSpans, traces.ErrorMessage)
                    : ExportAttemptResult.Success(),
                OtlpSignal.Metrics => ExportMetricsServiceResponse.Parser.ParseFrom(response).PartialSuccess is { } metrics
                    ? ExportAttemptResult.Success(metrics.RejectedDataPoints, metrics.ErrorMessage)
                    : ExportAttemptResult.Success(),
                _ => ExportLogsServiceResponse.Parser.ParseFrom(response).PartialSuccess is { } logs
                    ? ExportAttemptResult.Success(logs.RejectedLogRecords, logs.ErrorMessage)
                    : ExportAttemptResult.Success(),
            };
        }
        catch (InvalidProtocolBufferException)
        {
            // The status said accepted; an unreadable body only loses the partial-success detail.
            return ExportAttemptResult.Success();
        }
    }
}
