namespace OtelTailSampler.LoadGen;

/// <summary>How the load generator runs: where it sends, how fast, for how long, and the traffic it sends.</summary>
public sealed record LoadGenOptions
{
    /// <summary>Targets; batches go to them round-robin. For HTTP the signal path is appended to each one's path.</summary>
    public IReadOnlyList<Uri> Endpoints { get; init; } = [new Uri("http://127.0.0.1:4317")];

    public LoadGenProtocol Protocol { get; init; } = LoadGenProtocol.Grpc;

    /// <summary>
    /// Spans per second, open loop: batch <c>i</c> is due when the spans before it fill the rate, whether or not
    /// earlier ones were answered (ack latency then counts from the due time). Null sends as fast as the targets
    /// acknowledge, with <see cref="Concurrency"/> requests outstanding.
    /// </summary>
    public double? Rate { get; init; }

    /// <summary>How long new batches are started; those in flight at the end still finish. Null for no time limit.</summary>
    public TimeSpan? Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Stop after this many batches. Null for no limit; at least one of this and <see cref="Duration"/> is needed.</summary>
    public long? MaxBatches { get; init; }

    /// <summary>Fixes the traffic: the same seed and traffic options send the same bytes.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Batches in flight at once, each on its own connection.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Gzip request bodies, as most SDKs do.</summary>
    public bool Gzip { get; init; }

    /// <summary>Deadline of one attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per request: pushed-back (429, 503, UNAVAILABLE) and unanswered requests are retried until this many.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The first wait before a retry when the target gives no Retry-After; it doubles with each attempt, up to 2s.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TrafficOptions Traffic { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (Endpoints.Count == 0)
        {
            throw new ArgumentException("At least one endpoint is needed.", nameof(Endpoints));
        }

        foreach (var endpoint in Endpoints)
        {
            if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"Endpoint '{endpoint}' is not an absolute http:// or https:// URL.", nameof(Endpoints));
            }
        }

        if (Rate is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(Rate), rate, "The rate must be a positive number of spans per second.");
        }

        if (Duration is null && MaxBatches is null)
        {
            throw new ArgumentException("A duration or a batch limit is needed, or the run never ends.", nameof(Duration));
        }

        if (Duration is { } duration)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero, nameof(Duration));
        }

        if (MaxBatches is { } batches)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1, nameof(MaxBatches));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Concurrency, 1, nameof(Concurrency));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Concurrency, 1024, nameof(Concurrency));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryBackoff, TimeSpan.Zero, nameof(RetryBackoff));
        ArgumentNullException.ThrowIfNull(Traffic);
        Traffic.Validate();
    }
}
