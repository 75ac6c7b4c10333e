using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// Sends telemetry to an OTLP backend over gRPC or HTTP/protobuf, like the Collector's otlp exporter: a bounded
/// queue and batching loop per signal, gzip, per-attempt timeouts, and retries with exponential backoff for the
/// failures the OTLP specification calls retryable. Failures are logged at most once per failure-log-interval and
/// feed <see cref="Health"/>; what is given up on is dropped (logged at error and counted) unless its caller keeps a
/// durable copy, in which case it is only counted as returned. Counters: otelsampler.exporter.* on the
/// "OtelTailSampler" meter (see <see cref="ExporterMetrics"/>).
/// </summary>
public sealed class OtlpExporter : ITelemetryExporter
{
    private readonly OtlpSignalPipeline[] _pipelines;
    private readonly IOtlpSender _sender;
    private readonly ExporterMetrics _metrics;
    private int _disposed;

    /// <param name="options">Validated here; an invalid setting throws <see cref="ArgumentException"/>.</param>
    /// <param name="logger">Where give-ups, retries and partial successes are reported.</param>
    /// <param name="timeProvider">Clock of the batch delay, backoff and attempt timeouts; the system clock by default.</param>
    /// <param name="meterFactory">Creates the "OtelTailSampler" meter; without one the exporter creates and owns it.</param>
    public OtlpExporter(
        OtlpExporterOptions options,
        ILogger<OtlpExporter>? logger = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null)
        : this(options, logger, timeProvider, meterFactory, Random.Shared.NextDouble)
    {
    }

    /// <param name="random">Source of backoff jitter, uniform in [0, 1); tests pin it.</param>
    internal OtlpExporter(
        OtlpExporterOptions options,
        ILogger<OtlpExporter>? logger,
        TimeProvider? timeProvider,
        IMeterFactory? meterFactory,
        Func<double> random)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        var time = timeProvider ?? TimeProvider.System;
        var transport = new OtlpHttpTransport(options, time);
        _sender = options.Protocol == OtlpExportProtocol.Grpc
            ? new OtlpGrpcSender(options, transport)
            : new OtlpHttpSender(options, transport);
        _metrics = new ExporterMetrics(meterFactory);
        Health = new ExporterHealth(options.UnhealthyAfter, time);
        ILogger log = logger ?? NullLogger<OtlpExporter>.Instance;
        _pipelines =
        [
            .. Enum.GetValues<OtlpSignal>().Select(signal => new OtlpSignalPipeline(signal, options, _sender, _metrics, Health, log, time, random)),
        ];
    }

    public OtlpExporterOptions Options { get; }

    /// <inheritdoc />
    /// <remarks>An empty request is accepted and reported delivered at once: there is nothing to send.</remarks>
    public bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount) => TryEnqueue(signal, request, itemCount, null, durable: false);

    /// <inheritdoc />
    public bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, Action<ExportResult>? completed, bool durable)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        return Pipeline(signal).TryEnqueue(request, itemCount, completed, durable);
    }

    /// <inheritdoc />
    /// <remarks>Fed by every send attempt; a signal is failing after <see cref="OtlpExporterOptions.UnhealthyAfter"/> of failed attempts.</remarks>
    public ExporterHealth Health { get; }

    /// <inheritdoc />
    /// <remarks>
    /// Queued requests go out at once, without waiting for the batch delay. Retries keep their backoff, so this can
    /// take up to the retry max elapsed time; cancelling stops the wait only, not the delivery.
    /// </remarks>
    public Task FlushAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_pipelines.Select(p => p.FlushAsync(cancellationToken)));

    /// <summary>
    /// Stops taking requests (<see cref="TryEnqueue(OtlpSignal, ReadOnlyMemory{byte}, int)"/> then returns false),
    /// delivers what is queued and ends the loops. When <paramref name="cancellationToken"/> fires first, whatever is
    /// still waiting or retrying is given up on, so a host can bound its shutdown: durable requests are reported
    /// abandoned without a log line, the others are dropped (logged and counted).
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_pipelines.Select(p => p.StopAsync(cancellationToken)));

    /// <summary>
    /// <see cref="StopAsync"/> without a deadline, then releases connections. Against a backend that keeps failing
    /// this lasts up to the retry max elapsed time; call <see cref="StopAsync"/> with a token first to bound it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var pipeline in _pipelines)
        {
            pipeline.Dispose();
        }

        _sender.Dispose();
        _metrics.Dispose();
    }

    private OtlpSignalPipeline Pipeline(OtlpSignal signal) =>
        (uint)signal < (uint)_pipelines.Length
            ? _pipelines[(int)signal]
            : throw new ArgumentOutOfRangeException(nameof(signal), signal, "Not an OTLP signal.");
}
