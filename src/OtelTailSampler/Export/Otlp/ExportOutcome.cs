namespace OtelTailSampler.Export.Otlp;

/// <summary>What one send attempt means for the batch.</summary>
internal enum ExportOutcome
{
    /// <summary>Accepted, possibly partially: the spec forbids retrying a partial success.</summary>
    Success,

    /// <summary>Failed in a way the server or network may recover from.</summary>
    Retryable,

    /// <summary>Failed for good: the data is dropped and counted.</summary>
    Permanent,
}
