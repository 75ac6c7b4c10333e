using OtelTailSampler.Pipeline;

namespace OtelTailSampler.Sharding;

/// <summary>Sends each part of a trace request to the node that owns its shard, and answers once all are journaled.</summary>
internal interface IShardForwarder
{
    ValueTask<PipelineOutcome> ForwardAsync(List<ShardPart> parts, CancellationToken cancellationToken);
}
