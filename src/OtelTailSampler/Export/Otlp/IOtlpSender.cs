using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export.Otlp;

/// <summary>One transport of the exporter: makes a single attempt and says what it means for retrying.</summary>
internal interface IOtlpSender : IDisposable
{
    /// <summary>
    /// Sends <paramref name="payload"/> once, within the configured per-attempt timeout. Network failures and
    /// timeouts come back as retryable results; only cancellation of <paramref name="cancellationToken"/> throws.
    /// </summary>
    Task<ExportAttemptResult> SendAsync(OtlpSignal signal, OtlpPayload payload, CancellationToken cancellationToken);
}
