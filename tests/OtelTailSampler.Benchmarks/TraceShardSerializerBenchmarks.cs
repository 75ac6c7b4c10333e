using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// <see cref="TraceShardSerializer"/> alone, without Akka.Remote: writing a part for another node (from the spans
/// a receiver split off its request) and reading it back on the owner. One operation is one part; the split that
/// makes a part to write is measured on its own, so that writing = (split + write) - split.
/// </summary>
[MemoryDiagnoser]
public class TraceShardSerializerBenchmarks
{
    private readonly ShardRouter _router = new(shards: 1, workers: 1);
    private ActorSystem _system = null!;
    private TraceShardSerializer _serializer = null!;
    private byte[] _request = [];
    private byte[] _part = [];

    /// <summary>Spans in one part (all of one shard).</summary>
    [Params(100, 1000)]
    public int Spans { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _request = BenchmarkData.TraceRequest(seed: 5, batch: 0, spans: Spans);
        _system = ActorSystem.Create("serializer", ConfigurationFactory.ParseString(TraceShardSerializer.Hocon(shards: 1)));
        _serializer = (TraceShardSerializer)((ExtendedActorSystem)_system).Serialization.FindSerializerForType(typeof(TraceShardSpans));
        _part = Write();
        Console.WriteLine($"// part: {Spans} spans, {_part.Length} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark(Description = "split a request into its part")]
    public int Split()
    {
        var part = TraceRequestSplitter.SplitByShard(_request, _router)[0];
        part.Batch.ReleaseAll();
        return part.Shard;
    }

    [Benchmark(Description = "split, then write the part for another node")]
    public byte[] Write()
    {
        var part = TraceRequestSplitter.SplitByShard(_request, _router)[0];
        return _serializer.ToBinary(new TraceShardSpans(part.Shard, 1, part.Batch));
    }

    [Benchmark(Description = "read a part from another node")]
    public int Read()
    {
        var part = (TraceShardSpans)_serializer.FromBinary(_part, TraceShardSerializer.SpansManifest);
        part.Batch.ReleaseAll();
        return part.SpanCount;
    }
}
