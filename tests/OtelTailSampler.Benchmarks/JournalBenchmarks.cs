using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// Journal append, per span: a 512-span request (about 130 KB) committed to SQLite in a temporary directory as
/// one event; as a group commit of 8 distinct requests to 8 shards; and as the pipeline writes it, one request's
/// bytes appended to the 25 shards its traces fall in (stored once); with sync = normal and full.
/// </summary>
[MemoryDiagnoser]
public class JournalBenchmarks
{
    private const int Group = 8;
    private const int ShardsPerRequest = 25;

    private readonly long[] _sequence = new long[ShardsPerRequest];
    private readonly byte[][] _requests = new byte[Group][];
    private string _directory = "";
    private SqliteJournal _journal = null!;
    private byte[] _payload = [];

    [Params(JournalSync.Normal, JournalSync.Full)]
    public JournalSync Sync { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("otel-sampler-journal-bench-").FullName;
        _journal = SqliteJournal.Open(new JournalOptions { SqlitePath = _directory, Sync = Sync }, NullLogger<SqliteJournal>.Instance);
        _payload = BenchmarkData.TraceRequest(seed: 5, batch: 0);
        for (var i = 0; i < Group; i++)
        {
            _requests[i] = BenchmarkData.TraceRequest(seed: 5, batch: i + 1);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = BenchmarkData.SpansPerRequest, Description = "append 1 request")]
    public Task AppendOne() => _journal.WriteAsync([new AtomicWrite("shard-0000", ++_sequence[0], 1, _payload)]);

    [Benchmark(OperationsPerInvoke = Group * BenchmarkData.SpansPerRequest, Description = "append 8 requests, one commit")]
    public Task AppendGroup()
    {
        var writes = new AtomicWrite[Group];
        for (var i = 0; i < Group; i++)
        {
            writes[i] = new AtomicWrite($"shard-{i:0000}", ++_sequence[i], 1, _requests[i]);
        }

        return _journal.WriteAsync(writes);
    }

    [Benchmark(OperationsPerInvoke = BenchmarkData.SpansPerRequest, Description = "append 1 request to 25 shards, one commit")]
    public Task AppendRequestToShards()
    {
        var writes = new AtomicWrite[ShardsPerRequest];
        for (var i = 0; i < ShardsPerRequest; i++)
        {
            writes[i] = new AtomicWrite($"shard-{i:0000}", ++_sequence[i], 1, _payload);
        }

        return _journal.WriteAsync(writes);
    }
}
