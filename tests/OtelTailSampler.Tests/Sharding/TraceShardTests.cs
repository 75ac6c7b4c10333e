using Akka.Actor;
using Akka.TestKit.Xunit2;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Persistence;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Persistence;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Sharding;

/// <summary>
/// The sharded entity on its own, with Akka.TestKit: it acknowledges a part only once the journal committed it and
/// its worker has it, refuses what the journal refuses, and on the region's hand-off message has its buffered
/// traces decided before it stops.
/// </summary>
public sealed class TraceShardTests : TestKit
{
    private const int Shards = 16;
    private readonly ManualTimeProvider _time = new();
    private readonly CapturingExporter _exporter = new();
    private readonly ScriptedJournal _journal = new();

    [Fact]
    public async Task A_part_is_acknowledged_after_its_commit_and_only_then_reaches_the_worker()
    {
        await using var pipeline = JournaledPipeline();
        var (shard, batch) = OnePart(pipeline, trace: 1);
        var entity = Sys.ActorOf(TraceShard.Props(shard, pipeline, () => true, mayHaveLivedElsewhere: false));

        _journal.HoldNextCall();
        entity.Tell(new TraceShardSpans(shard, requestId: 7, batch), TestActor);
        await _journal.CallHeld.WaitAsync(TimeSpan.FromSeconds(5));
        await pipeline.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(6));
        Assert.False(HasMessages, "acknowledged before the journal committed");
        Assert.Equal(0, pipeline.Workers.Sum(worker => worker.BufferedTraces));

        _journal.Release();
        Assert.Equal(new TraceShardAck(7, Accepted: true), await ExpectMsgAsync<TraceShardAck>());
        await pipeline.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(7));
        Assert.Equal(1, pipeline.Workers.Sum(worker => worker.BufferedTraces));
    }

    [Fact]
    public async Task A_part_the_journal_fails_to_commit_is_refused_and_not_buffered()
    {
        await using var pipeline = JournaledPipeline();
        var (shard, batch) = OnePart(pipeline, trace: 2);
        var entity = Sys.ActorOf(TraceShard.Props(shard, pipeline, () => true, mayHaveLivedElsewhere: false));

        _journal.Then(new IOException("disk full"));
        entity.Tell(new TraceShardSpans(shard, requestId: 8, batch), TestActor);

        Assert.Equal(new TraceShardAck(8, Accepted: false), ExpectMsg<TraceShardAck>());
        await pipeline.WhenIdleAsync();
        Assert.Equal(0, pipeline.Workers.Sum(worker => worker.BufferedTraces));
    }

    [Fact]
    public async Task On_hand_off_the_shard_decides_what_it_buffers_then_stops()
    {
        await using var pipeline = Pipeline(journal: null);
        var (shard, batch) = OnePart(pipeline, trace: 3);
        var entity = Sys.ActorOf(TraceShard.Props(shard, pipeline, () => true, mayHaveLivedElsewhere: false));
        entity.Tell(new TraceShardSpans(shard, requestId: 9, batch), TestActor);
        ExpectMsg<TraceShardAck>(ack => ack.Accepted);
        await pipeline.WhenIdleAsync();
        Assert.Empty(_exporter.Traces);

        Watch(entity);
        entity.Tell(TraceShardHandOff.Instance);
        ExpectTerminated(entity);

        // Decided long before decision-wait: kept by the always-sample policy and handed to the exporter.
        Assert.Equal(0, pipeline.Workers.Sum(worker => worker.BufferedTraces));
        var exported = Assert.Single(_exporter.Traces);
        Assert.Equal(OtlpSamples.TraceId(3), exported.ResourceSpans[0].ScopeSpans[0].Spans[0].TraceId);
    }

    [Fact]
    public async Task The_last_member_hands_off_without_deciding_what_stays_in_its_journal()
    {
        await using var pipeline = JournaledPipeline();
        var (shard, batch) = OnePart(pipeline, trace: 4);
        var entity = Sys.ActorOf(TraceShard.Props(shard, pipeline, nextHomeExists: () => false, mayHaveLivedElsewhere: false));
        entity.Tell(new TraceShardSpans(shard, requestId: 10, batch), TestActor);
        ExpectMsg<TraceShardAck>(ack => ack.Accepted);

        Watch(entity);
        entity.Tell(TraceShardHandOff.Instance);
        ExpectTerminated(entity);
        await pipeline.WhenIdleAsync();
        Assert.Equal(1, pipeline.Workers.Sum(worker => worker.BufferedTraces));
        Assert.Empty(_exporter.Traces);
    }

    private SamplingPipeline JournaledPipeline()
    {
        var writer = new JournalWriter(_journal, new JournalWriterOptions(), NullLogger<JournalWriter>.Instance, new JournalMetrics());
        return Pipeline(new ShardJournal(_journal, writer, Shards, NullLogger<ShardJournal>.Instance));
    }

    private SamplingPipeline Pipeline(ShardJournal? journal)
    {
        var options = new SamplingOptions
        {
            DecisionWait = TimeSpan.FromSeconds(30),
            Policies = new PolicySetOptions([new AlwaysSamplePolicyOptions("keep-all")]),
        };
        return new SamplingPipeline(options, new ShardingOptions { Shards = Shards, Workers = 1 }, _exporter, new SamplerMetrics(), _time,
            NullLoggerFactory.Instance, journal);
    }

    private static (int Shard, SpanBatch Batch) OnePart(SamplingPipeline pipeline, int trace)
    {
        var bytes = OtlpSamples.Traces(OtlpSamples.Span(trace, 1), OtlpSamples.Span(trace, 2, parent: 1)).ToByteArray();
        var part = Assert.Single(TraceRequestSplitter.SplitByShard(bytes, pipeline.Router));
        return (part.Shard, part.Batch);
    }
}
