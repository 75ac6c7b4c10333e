using OtelTailSampler.Pipeline;

namespace OtelTailSampler.Sharding;

/// <summary>Sends each part of a trace request to the node that owns its shard, and answers once all are journaled.</summary>
internal interface IShardForwarder
{
    ValueTask<PipelineOutcome> ForwardAsync(List<ShardPart> parts, CancellationToken cancellationToken);

    /// <summary>Starts the shard wherever it is to live, and completes once it has recovered from the journal.</summary>
    Task WakeAsync(int shard, CancellationToken cancellationToken);
}
