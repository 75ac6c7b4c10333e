using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// Trace shard parts forwarded over Akka.Remote (dot-netty TCP on loopback) between two actor systems in this
/// process, as a receiving node sends them to a shard's owner: the sender writes each part with
/// <see cref="TraceShardSerializer"/>, the owner reads it back into spans and acknowledges it, with up to
/// <see cref="Window"/> parts unanswered. One operation is one part; MB/s = part bytes / time per part.
/// </summary>
[MemoryDiagnoser]
public class RemoteForwardingBenchmarks
{
    private const int PartsPerInvoke = 200;
    private const int Window = 64;

    private ActorSystem _sender = null!;
    private ActorSystem _owner = null!;
    private IActorRef _pump = null!;
    private IActorRef _localPump = null!;
    private byte[] _request = [];
    private readonly ShardRouter _router = new(shards: 1, workers: 1);

    /// <summary>Spans in one part (all of one shard).</summary>
    [Params(100, 1000)]
    public int Spans { get; set; }

    /// <summary>The OTLP bytes of one part as it goes over the wire, for the MB/s figure.</summary>
    public int PartBytes => _request.Length;

    [GlobalSetup]
    public void Setup()
    {
        _request = BenchmarkData.TraceRequest(seed: 5, batch: 0, spans: Spans);
        var config = ConfigurationFactory.ParseString(TraceShardSerializer.Hocon(shards: 1) + """

            akka.actor.provider = remote
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0, maximum-frame-size = 32MiB, send-buffer-size = 4MiB, receive-buffer-size = 4MiB }
            """);
        _owner = ActorSystem.Create("owner", config);
        _sender = ActorSystem.Create("sender", config);
        _owner.ActorOf(Props.Create(() => new Owner()), "owner");
        var address = ((ExtendedActorSystem)_owner).Provider.DefaultAddress;
        var owner = _sender.ActorSelection($"{address}/user/owner").ResolveOne(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        _pump = _sender.ActorOf(Props.Create(() => new Pump(owner, _request, _router)));
        var localOwner = _sender.ActorOf(Props.Create(() => new Owner()), "local-owner");
        _localPump = _sender.ActorOf(Props.Create(() => new Pump(localOwner, _request, _router)));
        Forward();
        Local();
        Console.WriteLine($"// part: {Spans} spans, {PartBytes} bytes");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Terminate().Wait();
        _owner.Terminate().Wait();
    }

    [Benchmark(OperationsPerInvoke = PartsPerInvoke, Description = "part to another node and its ack")]
    public void Forward() => RunThrough(_pump);

    /// <summary>The same part to an owner in the same actor system: no serialization, the node's own shards.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = PartsPerInvoke, Description = "part to a local shard and its ack")]
    public void Local() => RunThrough(_localPump);

    private static void RunThrough(IActorRef pump)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pump.Tell(new Run(PartsPerInvoke, done));
        done.Task.GetAwaiter().GetResult();
    }

    private sealed record Run(int Parts, TaskCompletionSource Done);

    /// <summary>The owner's side: the part arrives deserialized into spans; its references go, and it is acknowledged.</summary>
    private sealed class Owner : ReceiveActor
    {
        public Owner() => Receive<TraceShardSpans>(part =>
        {
            part.Batch.ReleaseAll();
            Sender.Tell(new TraceShardAck(part.RequestId, true));
        });
    }

    /// <summary>The receiving node's side: keeps up to <see cref="Window"/> parts unanswered.</summary>
    private sealed class Pump : ReceiveActor
    {
        private Run? _run;
        private int _sent;
        private int _acked;

        public Pump(IActorRef owner, byte[] request, ShardRouter router)
        {
            Receive<Run>(run =>
            {
                (_run, _sent, _acked) = (run, 0, 0);
                while (_sent < Math.Min(Window, run.Parts))
                {
                    Send(owner, request, router);
                }
            });
            Receive<TraceShardAck>(_ =>
            {
                if (++_acked == _run!.Parts)
                {
                    _run.Done.SetResult();
                }
                else if (_sent < _run.Parts)
                {
                    Send(owner, request, router);
                }
            });
        }

        private void Send(IActorRef owner, byte[] request, ShardRouter router)
        {
            var part = TraceRequestSplitter.SplitByShard(request, router)[0];
            owner.Tell(new TraceShardSpans(part.Shard, _sent++, part.Batch));
        }
    }
}
