using Microsoft.Extensions.Logging;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// The exporter's log messages, generated at compile time so that disabled levels cost nothing. Ids are stable
/// (docs/CONFIGURATION.md lists them); 2 was the per-attempt retry line, replaced by 6 and 7, and is not reused.
/// "Dropped" appears only where data is gone for good.
/// </summary>
internal static partial class OtlpExporterLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error,
        Message = "Dropped {ItemCount} {ItemName} ({RequestCount} queued {Signal} requests): {Reason}")]
    public static partial void GaveUp(ILogger logger, int itemCount, string itemName, int requestCount, string signal, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error,
        Message = "Dropped {RejectedCount} of {ItemCount} {ItemName}: the backend rejected them: {ErrorMessage}")]
    public static partial void PartiallyRejected(ILogger logger, long rejectedCount, int itemCount, string itemName, string errorMessage);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "The backend accepted {ItemCount} {ItemName} with a warning: {ErrorMessage}")]
    public static partial void AcceptedWithWarning(ILogger logger, int itemCount, string itemName, string errorMessage);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error,
        Message = "Exporting {ItemCount} {ItemName} failed unexpectedly")]
    public static partial void Crashed(ILogger logger, Exception exception, int itemCount, string itemName);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning,
        Message = "Exports of {Signal} are failing: {LastError}; {NextStep}")]
    public static partial void StartedFailing(ILogger logger, string signal, string lastError, string nextStep);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning,
        Message = "Exports of {Signal} still failing after {FailingFor}: {FailedAttempts} attempts failed in the last {Period}; last error: {LastError}; {NextStep}")]
    public static partial void StillFailing(ILogger logger, string signal, string failingFor, int failedAttempts, string period, string lastError, string nextStep);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information,
        Message = "Exports of {Signal} succeed again after {FailingFor} of failures ({FailedAttempts} failed attempts)")]
    public static partial void Recovered(ILogger logger, string signal, string failingFor, long failedAttempts);
}
