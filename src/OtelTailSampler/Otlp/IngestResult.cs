namespace OtelTailSampler.Otlp;

/// <summary>The outcome of one Export request, with the partial-success counts when items were rejected.</summary>
public readonly record struct IngestResult(IngestStatus Status, long RejectedItems, string? Message)
{
    public static IngestResult Malformed(string message) => new(IngestStatus.Malformed, 0, message);

    public static IngestResult Overloaded(string message) => new(IngestStatus.Overloaded, 0, message);
}
