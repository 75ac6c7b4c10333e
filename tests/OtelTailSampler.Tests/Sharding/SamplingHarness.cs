using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Otlp;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Sharding;

/// <summary>A sampling pipeline on a manual clock, feeding a capturing exporter.</summary>
public sealed class SamplingHarness : IAsyncDisposable
{
    private SamplingHarness(SamplingOptions options)
    {
        Options = options;
        Metrics = new SamplerMetrics();
        Recorder = new MetricRecorder(Metrics.Meter);
        Pipeline = new SamplingPipeline(options, new ShardingOptions { Shards = 64 }, Exporter, Metrics, Time, NullLoggerFactory.Instance);
    }

    public ManualTimeProvider Time { get; } = new();

    public CapturingExporter Exporter { get; } = new();

    public SamplingOptions Options { get; }

    public SamplerMetrics Metrics { get; }

    public MetricRecorder Recorder { get; }

    public SamplingPipeline Pipeline { get; }

    /// <summary>Every span exported so far, with the resource it came with.</summary>
    public IReadOnlyList<Span> ExportedSpans => [.. Exporter.Traces.SelectMany(r => r.ResourceSpans).SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans)];

    public static SamplingHarness Create(Func<SamplingOptions, SamplingOptions>? configure = null, params PolicyOptions[] policies)
    {
        var options = new SamplingOptions
        {
            DecisionWait = TimeSpan.FromSeconds(30),
            RootSettleDelay = TimeSpan.FromSeconds(2),
            TickInterval = TimeSpan.FromMilliseconds(100),
            Policies = policies.Length == 0 ? PolicySetOptions.Default : new PolicySetOptions(policies),
        };
        return new SamplingHarness(configure is null ? options : configure(options));
    }

    public async Task SendAsync(params Span[] spans) => await SendAsync(OtlpSamples.Traces(spans));

    public async Task SendAsync(ExportTraceServiceRequest request)
    {
        var bytes = request.ToByteArray();
        var outcome = await Pipeline.AcceptAsync(OtlpSignal.Traces, bytes, request.ResourceSpans.Sum(r => r.ScopeSpans.Sum(s => s.Spans.Count)), CancellationToken.None);
        Assert.Equal(PipelineOutcome.Accepted, outcome);
        await Pipeline.WhenIdleAsync();
    }

    /// <summary>Moves the clock and waits until the trace shards handled the ticks it caused.</summary>
    public async Task AdvanceAsync(TimeSpan delta)
    {
        Time.Advance(delta);
        await Pipeline.WhenIdleAsync();
    }

    public static Span ErrorSpan(int trace, int span, int parent = 0)
    {
        var result = OtlpSamples.Span(trace, span, "failing", parent);
        result.Status = new Status { Code = Status.Types.StatusCode.Error };
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        Recorder.Dispose();
        Metrics.Dispose();
    }
}
