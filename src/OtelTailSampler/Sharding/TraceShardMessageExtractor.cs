using System.Globalization;
using Akka.Cluster.Sharding;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Entity ID = shard ID = the trace shard's number, which the receiver computed from the trace ID by the stable
/// hash of <see cref="ShardRouter"/>. The strings are made once, not per message.
/// </summary>
internal sealed class TraceShardMessageExtractor : IMessageExtractor
{
    private readonly string[] _ids;

    public TraceShardMessageExtractor(int shards) =>
        _ids = [.. Enumerable.Range(0, shards).Select(shard => shard.ToString(CultureInfo.InvariantCulture))];

    public string? EntityId(object message) => message switch
    {
        TraceShardSpans spans => _ids[spans.Shard],
        WakeTraceShard wake => _ids[wake.Shard],
        _ => null,
    };

    public object EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message);

    public string ShardId(string entityId, object? messageHint = null) => entityId;

    public static int ShardOf(string entityId) => int.Parse(entityId, NumberStyles.None, CultureInfo.InvariantCulture);
}
