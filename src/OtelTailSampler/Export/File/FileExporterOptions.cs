namespace OtelTailSampler.Export.File;

/// <summary>Settings of the <see cref="FileExporter"/>, bound from <c>sampler.exporters.file</c>.</summary>
public sealed record FileExporterOptions
{
    /// <summary>The directory that gets traces.jsonl, metrics.jsonl and logs.jsonl; created when first needed.</summary>
    public string Path { get; init; } = "./data/export";

    /// <summary>A file is rotated before a line would take it past this size (a single larger line gets a file alone).</summary>
    public long MaxFileBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Files kept per signal, the one being written included; the oldest rotated ones are deleted past it.</summary>
    public int MaxFiles { get; init; } = 10;

    /// <summary>Requests waiting to be written; when full, TryEnqueue returns false and the receiver pushes back.</summary>
    public int QueueCapacity { get; init; } = 1024;

    /// <summary>
    /// How long writes of a signal must keep failing before <see cref="ExporterHealth"/> calls it failing
    /// (sampler.exporters.unhealthy-after, set by <see cref="ExporterFactory"/>).
    /// </summary>
    public TimeSpan UnhealthyAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>At most one failure line per signal per this interval (sampler.exporters.failure-log-interval).</summary>
    public TimeSpan FailureLogInterval { get; init; } = TimeSpan.FromSeconds(10);
}
