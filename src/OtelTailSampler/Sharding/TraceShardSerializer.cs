using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Carries trace shard parts between nodes as raw OTLP: the part's spans, with their resources and scopes, written
/// as an ExportTraceServiceRequest straight from the client's bytes, behind a 16-byte header. No object graph per
/// span on either side: the owner reads the bytes with the splitter's walk, into one batch. Acks are 9 bytes, and
/// the start-up call that wakes a shard to recover it (and its answer) 4.
/// </summary>
public sealed class TraceShardSerializer : SerializerWithStringManifest
{
    /// <summary>The same on every node, as Akka requires; apart from Akka's own (under 50) and the decisions' (4711).</summary>
    public const int SerializerIdentifier = 4712;

    public const string SpansManifest = "S";

    public const string AckManifest = "A";

    public const string WakeManifest = "W";

    /// <summary>Where the node's shard count is given to the serializer, which must agree with every other node's.</summary>
    public const string ShardsPath = "otel-sampler.trace-shards.shards";

    private const int HeaderLength = 16;

    private readonly ShardRouter _router;

    public TraceShardSerializer(ExtendedActorSystem system)
        : base(system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _router = new ShardRouter(system.Settings.Config.GetInt(ShardsPath, 1), 1);
    }

    /// <summary>The configuration that binds this serializer; <paramref name="shards"/> is sampler.sharding.shards.</summary>
    public static string Hocon(int shards) => $$"""
        akka.actor {
          serializers {
            otel-trace-shards = "OtelTailSampler.Sharding.TraceShardSerializer, OtelTailSampler"
          }
          serialization-bindings {
            "OtelTailSampler.Sharding.TraceShardSpans, OtelTailSampler" = otel-trace-shards
            "OtelTailSampler.Sharding.TraceShardAck, OtelTailSampler" = otel-trace-shards
            "OtelTailSampler.Sharding.WakeTraceShard, OtelTailSampler" = otel-trace-shards
          }
        }
        {{ShardsPath}} = {{shards}}
        """;

    public override int Identifier => SerializerIdentifier;

    public override string Manifest(object o) => o switch
    {
        TraceShardSpans => SpansManifest,
        TraceShardAck => AckManifest,
        WakeTraceShard => WakeManifest,
        _ => throw Unknown(o?.GetType()),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        TraceShardSpans spans => WriteSpans(spans),
        TraceShardAck ack => WriteAck(ack),
        WakeTraceShard wake => WriteWake(wake),
        _ => throw Unknown(obj?.GetType()),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return manifest switch
        {
            SpansManifest => ReadSpans(bytes),
            AckManifest => new TraceShardAck(BinaryPrimitives.ReadInt64LittleEndian(bytes), bytes[8] != 0),
            WakeManifest => new WakeTraceShard(BinaryPrimitives.ReadInt32LittleEndian(bytes)),
            _ => throw new SerializationException($"Unknown manifest '{manifest}' for {nameof(TraceShardSerializer)}."),
        };
    }

    // The spans leave this node here: their references into the client's buffer are released once written. Akka
    // wants a byte[]: sized first, then written straight into it, so the part is copied once (not into a pooled
    // writer, then out of it).
    private byte[] WriteSpans(TraceShardSpans part)
    {
        var batch = part.Batch;
        var spans = ArrayPool<SpanRef>.Shared.Rent(batch.Count);
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                spans[i] = batch.Spans[i].Span;
            }

            var written = spans.AsSpan(0, batch.Count);
            var bytes = GC.AllocateUninitializedArray<byte>(HeaderLength + KeptTraceWriter.Size(written, []));
            BinaryPrimitives.WriteInt64LittleEndian(bytes, part.RequestId);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), part.Shard);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), _router.Shards);
            if (HeaderLength + KeptTraceWriter.Write(written, [], bytes.AsSpan(HeaderLength)) != bytes.Length)
            {
                // The array is not zeroed: a short write would send garbage, so it must never go out.
                throw new SerializationException("A trace shard part was written shorter than its computed size.");
            }

            part.WireBytes = bytes.Length;
            return bytes;
        }
        finally
        {
            ArrayPool<SpanRef>.Shared.Return(spans, clearArray: true);
            batch.ReleaseAll();
        }
    }

    private TraceShardSpans ReadSpans(byte[] bytes)
    {
        var requestId = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var shard = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        var senderShards = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        if (senderShards != _router.Shards)
        {
            throw new SerializationException(
                $"A node with sampler.sharding.shards = {senderShards} sent spans to this node, which has {_router.Shards}: every node of a cluster must have the same shard count.");
        }

        // The sending node's receiver validated these spans and its splitter cut them out for this shard: read them
        // into one batch as they are, checking only that every trace ID falls in this shard.
        var batch = TraceRequestSplitter.ReadShard(bytes.AsMemory(HeaderLength), _router, shard);
        if (batch is null || batch.Count == 0)
        {
            batch?.Return();
            throw new SerializationException($"A part for trace shard {shard} held spans of other shards, or none.");
        }

        return new TraceShardSpans(shard, requestId, batch);
    }

    private static byte[] WriteWake(WakeTraceShard wake)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, wake.Shard);
        return bytes;
    }

    private static byte[] WriteAck(TraceShardAck ack)
    {
        var bytes = new byte[9];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, ack.RequestId);
        bytes[8] = ack.Accepted ? (byte)1 : (byte)0;
        return bytes;
    }

    private static SerializationException Unknown(Type? type) =>
        new($"{nameof(TraceShardSerializer)} cannot serialize {type?.FullName ?? "null"}.");
}
