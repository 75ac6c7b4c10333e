using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace OtelTailSampler.Decisions;

/// <summary>
/// Akka serializer of the replicated decisions, their deltas and their keys, in the compact and deterministic
/// <see cref="DecisionsWireFormat"/> (keys as their UTF-8 id). Bind it with <see cref="Hocon"/>.
/// </summary>
public sealed class ReplicatedDecisionsSerializer : SerializerWithStringManifest
{
    /// <summary>
    /// The same on every node, as Akka requires; far above the low ids Akka's own serializers take (under 50). It
    /// is this property, not configuration, that sets the id.
    /// </summary>
    public const int SerializerIdentifier = 4711;

    public const string StateManifest = "S";

    public const string DeltaManifest = "D";

    public const string KeyManifest = "K";

    /// <summary>
    /// The configuration that binds this serializer, to layer over the host's Akka configuration. The bindings
    /// name the concrete types: Akka prefers an exact type over the <c>IReplicatedDataSerialization</c> marker,
    /// which would hand them to DData's own serializer, and that one rejects types it does not know.
    /// </summary>
    public const string Hocon = """
        akka.actor {
          serializers {
            otel-decisions = "OtelTailSampler.Decisions.ReplicatedDecisionsSerializer, OtelTailSampler"
          }
          serialization-bindings {
            "OtelTailSampler.Decisions.ReplicatedDecisions, OtelTailSampler" = otel-decisions
            "OtelTailSampler.Decisions.ReplicatedDecisionsDelta, OtelTailSampler" = otel-decisions
            "OtelTailSampler.Decisions.ReplicatedDecisionsKey, OtelTailSampler" = otel-decisions
          }
        }
        """;

    public ReplicatedDecisionsSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerIdentifier;

    public override string Manifest(object o) => o switch
    {
        ReplicatedDecisions => StateManifest,
        ReplicatedDecisionsDelta => DeltaManifest,
        ReplicatedDecisionsKey => KeyManifest,
        _ => throw Unknown(o),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        ReplicatedDecisions state => DecisionsWireFormat.Write(state.Epoch, state.Entries),
        ReplicatedDecisionsDelta delta => DecisionsWireFormat.Write(delta.Epoch, delta.Entries),
        ReplicatedDecisionsKey key => Encoding.UTF8.GetBytes(key.Id),
        _ => throw Unknown(obj),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        switch (manifest)
        {
            case StateManifest:
                var (stateEpoch, stateEntries) = DecisionsWireFormat.Read(bytes);
                return ReplicatedDecisions.Create(stateEpoch, stateEntries);
            case DeltaManifest:
                var (deltaEpoch, deltaEntries) = DecisionsWireFormat.Read(bytes);
                return new ReplicatedDecisionsDelta(deltaEpoch, deltaEntries);
            case KeyManifest:
                return new ReplicatedDecisionsKey(Encoding.UTF8.GetString(bytes));
            default:
                throw new System.Runtime.Serialization.SerializationException(
                    $"{nameof(ReplicatedDecisionsSerializer)} has no manifest '{manifest}'.");
        }
    }

    private static ArgumentException Unknown(object? value) =>
        new($"{nameof(ReplicatedDecisionsSerializer)} cannot serialize {value?.GetType().FullName ?? "null"}.", nameof(value));
}
