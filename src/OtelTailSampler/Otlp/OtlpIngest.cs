using Microsoft.Extensions.Logging;
using OtelTailSampler.Otlp.Wire;
using OtelTailSampler.Pipeline;

namespace OtelTailSampler.Otlp;

/// <summary>
/// The step both receivers share once a body is read and inflated: validate in one pass, reject bad items
/// through partial success, and hand the rest to the pipeline.
/// </summary>
public sealed partial class OtlpIngest(ITelemetryPipeline pipeline, ReceiverMetrics metrics, ILogger<OtlpIngest> logger)
{
    /// <summary>
    /// Ingests one serialized request. <paramref name="request"/> is borrowed: whatever the pipeline keeps is
    /// copied first, so the caller may return its buffer to the pool afterwards.
    /// </summary>
    public async ValueTask<IngestResult> IngestAsync(OtlpSignal signal, string transport, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        OtlpValidation validation;
        try
        {
            validation = OtlpRequestValidator.Validate(signal, request);
        }
        catch (ProtoWireException e)
        {
            metrics.Refused(signal, transport, "malformed");
            LogMalformed(signal, transport, e.Message);
            return IngestResult.Malformed($"Invalid OTLP {signal} request: {e.Message}");
        }

        if (validation.RejectedItems > 0)
        {
            metrics.Rejected(signal, transport, validation.RejectedItems);
            LogRejectedItems(validation.RejectedItems, signal, transport, validation.RejectionMessage);
        }

        if (validation.AcceptedItems > 0)
        {
            // The pipeline owns what it is given; the receiver's buffer goes back to the pool.
            var owned = validation.RejectedItems > 0 ? validation.Request : validation.Request.ToArray();
            var outcome = await pipeline.AcceptAsync(signal, owned, validation.AcceptedItems, cancellationToken);
            if (outcome == PipelineOutcome.Overloaded)
            {
                metrics.Refused(signal, transport, "overloaded", validation.AcceptedItems);
                return IngestResult.Overloaded("The sampler's buffers are full; retry later.");
            }

            metrics.Accepted(signal, transport, validation.AcceptedItems);
        }

        return new IngestResult(IngestStatus.Accepted, validation.RejectedItems, validation.RejectionMessage);
    }

    /// <summary>Counts a request a receiver refused before ingesting it: too large, unsupported, or not decodable.</summary>
    public void Refused(OtlpSignal signal, string transport, string reason) => metrics.Refused(signal, transport, reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Refused a malformed OTLP {Signal} request over {Transport}: {Reason}")]
    private partial void LogMalformed(OtlpSignal signal, string transport, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Rejected {Count} items of an OTLP {Signal} request over {Transport}: {Reason}")]
    private partial void LogRejectedItems(long count, OtlpSignal signal, string transport, string? reason);
}
