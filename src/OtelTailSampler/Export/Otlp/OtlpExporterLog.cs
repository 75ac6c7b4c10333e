using Microsoft.Extensions.Logging;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export.Otlp;

/// <summary>The exporter's log messages, generated at compile time so that disabled levels cost nothing.</summary>
internal static partial class OtlpExporterLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error,
        Message = "Dropped {ItemCount} {ItemName} ({RequestCount} queued {Signal} requests): {Reason}")]
    public static partial void GaveUp(ILogger logger, int itemCount, string itemName, int requestCount, OtlpSignal signal, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Exporting {ItemCount} {ItemName} failed on attempt {Attempt} ({Detail}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, int itemCount, string itemName, int attempt, string detail, TimeSpan delay);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "The backend rejected {RejectedCount} of {ItemCount} {ItemName}: {ErrorMessage}")]
    public static partial void PartiallyRejected(ILogger logger, long rejectedCount, int itemCount, string itemName, string errorMessage);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "The backend accepted {ItemCount} {ItemName} with a warning: {ErrorMessage}")]
    public static partial void AcceptedWithWarning(ILogger logger, int itemCount, string itemName, string errorMessage);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error,
        Message = "Exporting {ItemCount} {ItemName} failed unexpectedly; they are dropped")]
    public static partial void Crashed(ILogger logger, Exception exception, int itemCount, string itemName);
}
