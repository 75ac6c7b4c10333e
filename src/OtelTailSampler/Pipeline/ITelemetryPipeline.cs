using OtelTailSampler.Otlp;

namespace OtelTailSampler.Pipeline;

/// <summary>
/// What receivers hand validated telemetry to. Issue by issue this grows from a pass-through to the journal,
/// the trace shards and the sampler; receivers only ever see this seam.
/// </summary>
public interface ITelemetryPipeline
{
    /// <summary>
    /// Accepts one validated, serialized Export{Signal}ServiceRequest. The pipeline owns
    /// <paramref name="request"/> afterwards. A result of <see cref="PipelineOutcome.Accepted"/> is what lets the
    /// receiver acknowledge its client.
    /// </summary>
    ValueTask<PipelineOutcome> AcceptAsync(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, CancellationToken cancellationToken);
}
