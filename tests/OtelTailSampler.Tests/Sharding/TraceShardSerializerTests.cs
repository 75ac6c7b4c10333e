using System.Buffers.Binary;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Sharding;

/// <summary>
/// What goes between nodes: a part arrives as the same spans, with their resource and scope, split as a receiver
/// would; acks keep their request; a node with another shard count is refused with the setting named.
/// </summary>
public sealed class TraceShardSerializerTests() : TestKit(TraceShardSerializer.Hocon(shards: 16))
{
    private readonly ShardRouter _router = new(shards: 16, workers: 1);

    [Fact]
    public void A_part_arrives_as_the_same_spans_of_its_shard()
    {
        var request = OtlpSamples.Traces(OtlpSamples.Span(5, 1), OtlpSamples.Span(5, 2, parent: 1), OtlpSamples.Span(5, 3, parent: 1));
        var part = Assert.Single(TraceRequestSplitter.SplitByShard(request.ToByteArray(), _router));
        var serializer = Serializer();

        var bytes = serializer.ToBinary(new TraceShardSpans(part.Shard, 42, part.Batch));
        var back = Assert.IsType<TraceShardSpans>(serializer.FromBinary(bytes, TraceShardSerializer.SpansManifest));

        Assert.Equal(42, back.RequestId);
        Assert.Equal(part.Shard, back.Shard);
        var spans = ExportTraceServiceRequest.Parser.ParseFrom(back.Batch.Spans[0].Span.Request.Buffer.Span);
        Assert.Equal(request.ResourceSpans[0].Resource, spans.ResourceSpans[0].Resource);
        Assert.Equal(request.ResourceSpans[0].ScopeSpans[0].Spans, spans.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans));
        Assert.Equal(3, back.Batch.Count);
    }

    [Fact]
    public void A_part_with_several_resources_and_scopes_arrives_as_the_same_request()
    {
        // Lengths past one and two varint bytes (a 300-byte span name, a 20 KB resource attribute), so every length
        // prefix the writer computes ahead is of a size other than one byte somewhere.
        var request = new ExportTraceServiceRequest
        {
            ResourceSpans =
            {
                new ResourceSpans
                {
                    Resource = new Resource { Attributes = { OtlpSamples.Attribute("service.name", "checkout"), OtlpSamples.Attribute("blob", new string('x', 20_000)) } },
                    SchemaUrl = "https://opentelemetry.io/schemas/1.26.0",
                    ScopeSpans =
                    {
                        Scope("http", OtlpSamples.Span(5, 1), OtlpSamples.Span(5, 2, name: new string('n', 300), parent: 1)),
                        Scope("db", OtlpSamples.Span(5, 3, parent: 2)),
                    },
                },
                new ResourceSpans
                {
                    Resource = OtlpSamples.ServiceResource("payments"),
                    ScopeSpans = { Scope("grpc", OtlpSamples.Span(5, 4, parent: 1)), Scope("db", OtlpSamples.Span(5, 5, parent: 4), OtlpSamples.Span(5, 6, parent: 4)) },
                },
            },
        };
        var part = Assert.Single(TraceRequestSplitter.SplitByShard(request.ToByteArray(), _router));
        var serializer = Serializer();
        var sent = new TraceShardSpans(part.Shard, 9, part.Batch);

        var bytes = serializer.ToBinary(sent);
        var back = Assert.IsType<TraceShardSpans>(serializer.FromBinary(bytes, TraceShardSerializer.SpansManifest));

        Assert.Equal(request, ExportTraceServiceRequest.Parser.ParseFrom(back.Batch.Spans[0].Span.Request.Buffer.Span));
        Assert.Equal(6, back.Batch.Count);
        Assert.Equal(bytes.Length, sent.WireBytes);
    }

    [Fact]
    public void A_part_naming_another_shard_than_its_spans_is_refused()
    {
        var request = OtlpSamples.Traces(OtlpSamples.Span(5, 1), OtlpSamples.Span(5, 2, parent: 1));
        var part = Assert.Single(TraceRequestSplitter.SplitByShard(request.ToByteArray(), _router));
        var serializer = Serializer();
        var bytes = serializer.ToBinary(new TraceShardSpans(part.Shard, 3, part.Batch));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), (part.Shard + 1) % 16);

        var refused = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, TraceShardSerializer.SpansManifest));
        Assert.Contains("held spans of other shards", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ack_keeps_its_request_and_answer()
    {
        var serializer = Serializer();
        var ack = new TraceShardAck(7, Accepted: false);
        Assert.Equal(ack, serializer.FromBinary(serializer.ToBinary(ack), serializer.Manifest(ack)));
    }

    [Fact]
    public void A_node_with_another_shard_count_is_refused_with_the_setting_named()
    {
        var request = OtlpSamples.Traces(OtlpSamples.Span(6, 1)).ToByteArray();
        var other = new ShardRouter(shards: 64, workers: 1);
        using var sender = ActorSystem.Create("sender", ConfigurationFactory.ParseString(TraceShardSerializer.Hocon(shards: 64)));
        var senderSerializer = (TraceShardSerializer)((ExtendedActorSystem)sender).Serialization.FindSerializerForType(typeof(TraceShardSpans));
        var part = Assert.Single(TraceRequestSplitter.SplitByShard(request, other));
        var bytes = senderSerializer.ToBinary(new TraceShardSpans(part.Shard, 1, part.Batch));

        var refused = Assert.Throws<SerializationException>(() => Serializer().FromBinary(bytes, TraceShardSerializer.SpansManifest));
        Assert.Contains("sampler.sharding.shards = 64", refused.Message, StringComparison.Ordinal);
        Assert.Contains("which has 16", refused.Message, StringComparison.Ordinal);
    }

    private static ScopeSpans Scope(string name, params Span[] spans) =>
        new() { Scope = new InstrumentationScope { Name = name, Version = "1.0" }, SchemaUrl = $"https://example.com/{name}", Spans = { spans } };

    private TraceShardSerializer Serializer() => (TraceShardSerializer)((ExtendedActorSystem)Sys).Serialization.FindSerializerForType(typeof(TraceShardSpans));
}
