using Akka.Actor;
using Akka.DistributedData;
using OtelTailSampler.Decisions;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Tests.Decisions;

/// <summary>
/// The decisions inside a real Replicator, on a cluster of one: the type merges there, and Akka serializes it,
/// alone and inside DData's own messages, with the serializer <see cref="ReplicatedDecisionsSerializer.Hocon"/> binds.
/// </summary>
public sealed class ReplicatedDecisionsReplicatorTests : IClassFixture<SingleNodeCluster>
{
    private static readonly TimeSpan Timeout = SingleNodeCluster.Timeout;
    private static readonly TraceId First = new(1, 1);
    private static readonly TraceId Second = new(2, 2);
    private static readonly TraceId Third = new(3, 3);

    private readonly DecisionKeys _keys = new(groups: 4, TimeSpan.FromMinutes(1), DecisionKeys.DefaultTtl);
    private readonly SingleNodeCluster _cluster;

    public ReplicatedDecisionsReplicatorTests(SingleNodeCluster cluster)
    {
        _cluster = cluster;
    }

    [Fact]
    public async Task Update_with_WriteLocal_then_Get_returns_the_merged_decisions()
    {
        var replicator = _cluster.Replicator;
        var slot = _keys.SlotAt(DateTimeOffset.UtcNow);
        var key = _keys.KeyForShard(shard: 6, slot);

        await Update(replicator, key, decisions => decisions
            .Add(slot, First, TraceDecision.Dropped)
            .Add(slot, Second, TraceDecision.Keep(2, 4)));
        await Update(replicator, key, decisions => decisions
            .Add(slot, First, TraceDecision.Keep(1, 2))
            .Add(slot, Second, TraceDecision.Keep(3, 8))
            .Add(slot, Third, TraceDecision.Dropped));

        var expected = ReplicatedDecisions.Empty.AddRange(
            slot,
            [
                new(First, TraceDecision.Keep(1, 2)),
                new(Second, TraceDecision.Keep(2, 4)),
                new(Third, TraceDecision.Dropped),
            ]);
        Assert.Equal(expected, await Get(replicator, key));

        // A ring later the key is reused: the new slot's decisions alone.
        await Update(replicator, key, decisions => decisions.Add(slot + _keys.RingSize, Third, TraceDecision.Keep(0, 1)));
        Assert.Equal(ReplicatedDecisions.Empty.Add(slot + _keys.RingSize, Third, TraceDecision.Keep(0, 1)), await Get(replicator, key));
    }

    [Fact]
    public void Akka_serializes_the_decisions_and_DData_messages_carrying_them_with_the_bound_serializer()
    {
        var key = _keys.KeyFor(1, 1000);
        var decisions = ReplicatedDecisions.Empty.Add(1000, First, TraceDecision.Keep(0, 1)).Add(1000, Second, TraceDecision.Dropped);
        var serialization = _cluster.System.Serialization;

        foreach (var value in new object[] { decisions.ResetDelta(), decisions.Delta!, key })
        {
            var serializer = serialization.FindSerializerFor(value);
            Assert.IsType<ReplicatedDecisionsSerializer>(serializer);
            Assert.Equal(ReplicatedDecisionsSerializer.SerializerIdentifier, serializer.Identifier);
            var bytes = serializer.ToBinary(value);
            var back = serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, value));
            Assert.Equal(value, back);
        }

        // DData's message serializer nests the key and the value through ours.
        var reply = new GetSuccess(key, null, decisions.ResetDelta());
        var messageSerializer = serialization.FindSerializerFor(reply);
        var message = serialization.Deserialize(
            messageSerializer.ToBinary(reply),
            messageSerializer.Identifier,
            Akka.Serialization.Serialization.ManifestFor(messageSerializer, reply));
        Assert.Equal(decisions.ResetDelta(), Assert.IsType<GetSuccess>(message).Get(key));
    }

    private static async Task Update(IActorRef replicator, ReplicatedDecisionsKey key, Func<ReplicatedDecisions, ReplicatedDecisions> modify)
    {
        var response = await replicator.Ask<IUpdateResponse>(Dsl.Update(key, ReplicatedDecisions.Empty, Dsl.WriteLocal, modify), Timeout);
        Assert.IsType<UpdateSuccess>(response);
    }

    private static async Task<ReplicatedDecisions> Get(IActorRef replicator, ReplicatedDecisionsKey key)
    {
        var response = await replicator.Ask<IGetResponse>(Dsl.Get(key, Dsl.ReadLocal), Timeout);
        return Assert.IsType<GetSuccess>(response).Get(key);
    }
}
