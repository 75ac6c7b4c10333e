using System.Collections.Immutable;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// Settings of the OTLP exporter. Names and defaults follow the OpenTelemetry Collector's otlp exporter
/// (timeout, sending_queue, retry_on_failure) so that configurations carry over.
/// </summary>
public sealed record OtlpExporterOptions
{
    /// <summary>
    /// Where to send. gRPC uses only scheme, host and port; OTLP/HTTP appends the signal path (/v1/traces ...)
    /// to this URI's path, so a base path such as http://host:4318/otlp is kept.
    /// </summary>
    public Uri Endpoint { get; init; } = new("http://localhost:4317");

    public OtlpExportProtocol Protocol { get; init; } = OtlpExportProtocol.Grpc;

    /// <summary>Extra headers (gRPC metadata) sent with every request, e.g. authorization.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = ImmutableDictionary<string, string>.Empty;

    public OtlpExportCompression Compression { get; init; } = OtlpExportCompression.Gzip;

    /// <summary>Deadline of one send attempt, from request start to the last response byte.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most items (spans, data points, log records) in one export; 0 means no limit.
    /// A single queued request larger than this is still sent, alone: requests are never re-encoded.</summary>
    public int BatchMaxItems { get; init; } = 8192;

    /// <summary>Most uncompressed bytes in one export; 0 means no limit. Same caveat as <see cref="BatchMaxItems"/>.</summary>
    public int BatchMaxBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>How long a partial batch may wait for more requests, counted from its first request; 0 sends at once.</summary>
    public TimeSpan BatchDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Requests queued per signal before TryEnqueue answers false.</summary>
    public int QueueCapacity { get; init; } = 1000;

    public bool RetryEnabled { get; init; } = true;

    public TimeSpan RetryInitialInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryMaxInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Give up on a batch once retrying would pass this long since its first attempt; 0 never gives up.</summary>
    public TimeSpan RetryMaxElapsedTime { get; init; } = TimeSpan.FromSeconds(300);

    public double RetryMultiplier { get; init; } = 1.5;

    /// <summary>Each backoff interval is drawn from [interval × (1 − f), interval × (1 + f)]; 0 makes it exact.</summary>
    public double RetryRandomizationFactor { get; init; } = 0.5;

    /// <summary>
    /// How long attempts of a signal must keep failing before <see cref="ExporterHealth"/> calls it failing
    /// (sampler.exporters.unhealthy-after, set by <see cref="ExporterFactory"/>).
    /// </summary>
    public TimeSpan UnhealthyAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>At most one failure warning per signal per this interval (sampler.exporters.failure-log-interval).</summary>
    public TimeSpan FailureLogInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Endpoint must be an absolute http:// or https:// URI, not '{Endpoint}'.", nameof(Endpoint));
        }

        Positive(Timeout, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfNegative(BatchMaxItems, nameof(BatchMaxItems));
        ArgumentOutOfRangeException.ThrowIfNegative(BatchMaxBytes, nameof(BatchMaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchDelay, TimeSpan.Zero, nameof(BatchDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        Positive(RetryInitialInterval, nameof(RetryInitialInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMaxInterval, RetryInitialInterval, nameof(RetryMaxInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMaxElapsedTime, TimeSpan.Zero, nameof(RetryMaxElapsedTime));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMultiplier, 1.0, nameof(RetryMultiplier));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryRandomizationFactor, 0.0, nameof(RetryRandomizationFactor));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RetryRandomizationFactor, 1.0, nameof(RetryRandomizationFactor));
        Positive(UnhealthyAfter, nameof(UnhealthyAfter));
        Positive(FailureLogInterval, nameof(FailureLogInterval));
    }

    private static void Positive(TimeSpan value, string name) =>
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, name);
}
