using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace OtelTailSampler.Persistence;

/// <summary>
/// Akka serialization of a <see cref="SegmentEvent"/> (remoting, snapshots, other journals): the payload's bytes as
/// they are, the event type as the manifest; no object graph. <see cref="SegmentJournalPlugin"/> does not call it,
/// since the segment journal stores the type and the bytes itself.
/// </summary>
public sealed class SegmentEventSerializer : SerializerWithStringManifest
{
    /// <summary>The same on every node; apart from Akka's own (under 50), the decisions' (4711) and the shards' (4712).</summary>
    public const int SerializerIdentifier = 4713;

    public SegmentEventSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerIdentifier;

    public override byte[] ToBinary(object obj)
    {
        var e = Cast(obj);

        // A payload that is a whole array goes as it is; a slice is copied, as Akka wants an array.
        return MemoryMarshal.TryGetArray(e.Payload, out var segment) && segment.Array is { } array && segment.Offset == 0 && segment.Count == array.Length
            ? array
            : e.Payload.ToArray();
    }

    public override string Manifest(object o) => Cast(o).EventType.ToString(CultureInfo.InvariantCulture);

    public override object FromBinary(byte[] bytes, string manifest) =>
        int.TryParse(manifest, NumberStyles.None, CultureInfo.InvariantCulture, out var eventType)
            ? new SegmentEvent(eventType, bytes)
            : throw new SerializationException($"'{manifest}' is not a segment event type");

    private static SegmentEvent Cast(object obj) =>
        obj as SegmentEvent ?? throw new ArgumentException($"expected a {nameof(SegmentEvent)} but got {obj?.GetType().Name ?? "null"}", nameof(obj));
}
