using System.Diagnostics;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Export;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Export.Otlp;

/// <summary>
/// An exporter wired to a fresh sink, a manual clock, a private metrics recorder and a capturing logger.
/// Defaults suit tests: no jitter (backoff 5s, 7.5s, ...) and no batch delay unless a test sets one.
/// </summary>
internal sealed class OtlpExporterHarness : IAsyncDisposable
{
    /// <summary>Real-time safety net for awaits that should finish promptly; reaching it fails the test.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private OtlpExporterHarness(OtlpTestSink sink, OtlpExporterOptions options)
    {
        Sink = sink;
        Options = options;
        Exporter = new OtlpExporter(options, Log, Time, Metrics, random: () => 0.5);
    }

    public OtlpTestSink Sink { get; }

    public OtlpExporterOptions Options { get; }

    public ManualTimeProvider Time { get; } = new();

    public ExporterMetricsRecorder Metrics { get; } = new();

    public CapturingLogger<OtlpExporter> Log { get; } = new();

    public OtlpExporter Exporter { get; }

    public static async Task<OtlpExporterHarness> StartAsync(
        OtlpExportProtocol protocol,
        Func<OtlpExporterOptions, OtlpExporterOptions>? configure = null)
    {
        var sink = await OtlpTestSink.StartAsync();
        var options = new OtlpExporterOptions
        {
            Endpoint = protocol == OtlpExportProtocol.Grpc ? sink.GrpcEndpoint : sink.HttpEndpoint,
            Protocol = protocol,
            BatchDelay = TimeSpan.Zero,
            RetryRandomizationFactor = 0,
        };
        return new OtlpExporterHarness(sink, configure?.Invoke(options) ?? options);
    }

    public bool Enqueue(ExportTraceServiceRequest request) =>
        Exporter.TryEnqueue(OtlpSignal.Traces, request.ToByteArray(), request.ResourceSpans.SelectMany(r => r.ScopeSpans).Sum(s => s.Spans.Count));

    /// <summary>Queues <paramref name="request"/> as a caller that waits for its outcome; the task completes with it.</summary>
    public Task<ExportResult> EnqueueTracked(ExportTraceServiceRequest request, bool durable)
    {
        var result = new TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var spans = request.ResourceSpans.SelectMany(r => r.ScopeSpans).Sum(s => s.Spans.Count);
        Assert.True(Exporter.TryEnqueue(OtlpSignal.Traces, request.ToByteArray(), spans, result.SetResult, durable));
        return result.Task.WaitAsync(Patience);
    }

    public bool Enqueue(ExportMetricsServiceRequest request) =>
        Exporter.TryEnqueue(OtlpSignal.Metrics, request.ToByteArray(), 3);

    public bool Enqueue(ExportLogsServiceRequest request) =>
        Exporter.TryEnqueue(OtlpSignal.Logs, request.ToByteArray(), request.ResourceLogs.SelectMany(r => r.ScopeLogs).Sum(s => s.LogRecords.Count));

    public Task FlushAsync() => Exporter.FlushAsync(CancellationToken.None).WaitAsync(Patience);

    /// <summary>Waits until the exporter counted <paramref name="retries"/> retries and armed its backoff timer.</summary>
    public Task WaitForBackoffAsync(int retries, OtlpSignal signal = OtlpSignal.Traces) =>
        WaitUntilAsync(
            () => Metrics.Retries(signal) >= retries && Time.ArmedTimerCount == 1,
            $"retry {retries} armed (retries {Metrics.Retries(signal)}, armed timers {Time.ArmedTimerCount}; sink: {Sink.Describe()})");

    /// <summary>
    /// Moves the clock across the one armed timer, checking it was due exactly after <paramref name="delay"/>:
    /// a millisecond earlier it must still be armed.
    /// </summary>
    public void AdvanceThrough(TimeSpan delay)
    {
        var justBefore = delay - TimeSpan.FromMilliseconds(1);
        Time.Advance(justBefore);
        Assert.True(Time.ArmedTimerCount == 1, $"the timer fired before {delay}");
        Time.Advance(TimeSpan.FromMilliseconds(1));
    }

    /// <summary>Polls <paramref name="condition"/> with short real waits; fails after <see cref="Patience"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string description)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > Patience)
            {
                throw new TimeoutException($"Gave up waiting for {description}.");
            }

            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Drop whatever a failed test left retrying on the manual clock instead of waiting for it forever.
        await Exporter.StopAsync(new CancellationToken(canceled: true)).WaitAsync(Patience);
        await Exporter.DisposeAsync();
        await Sink.DisposeAsync();
        Metrics.Dispose();
    }
}
