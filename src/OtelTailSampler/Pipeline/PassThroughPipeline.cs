using OtelTailSampler.Export;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Pipeline;

/// <summary>Forwards everything to the exporter unchanged: the node before sampling is switched on.</summary>
public sealed class PassThroughPipeline(ITelemetryExporter exporter) : ITelemetryPipeline
{
    public ValueTask<PipelineOutcome> AcceptAsync(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(exporter.TryEnqueue(signal, request, itemCount) ? PipelineOutcome.Accepted : PipelineOutcome.Overloaded);
}
