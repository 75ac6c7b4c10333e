using OtelTailSampler.Otlp;

namespace OtelTailSampler.Pipeline;

/// <summary>Accepts and forgets: the receivers' own cost, measured alone (sampler.pipeline.mode = decode-only).</summary>
public sealed class DiscardPipeline : ITelemetryPipeline
{
    public ValueTask<PipelineOutcome> AcceptAsync(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(PipelineOutcome.Accepted);
}
