namespace OtelTailSampler.Export;

/// <summary>What became of one queued request, reported to whoever asked to know.</summary>
public enum ExportResult
{
    /// <summary>The backend acknowledged it (possibly rejecting some items through partial success).</summary>
    Delivered,

    /// <summary>The backend refused it with a non-retryable error; sending it again would not help.</summary>
    Refused,

    /// <summary>Not delivered although it might be later: retry time ran out, or the exporter stopped.</summary>
    Abandoned,
}
