using Google.Protobuf;
using OtelTailSampler.Persistence;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Sharding;

/// <summary>
/// Recovery's reading of the journal: every span of every surviving SpansAppended event goes back to its shard
/// once, whether a request's events share its bytes or sit in different segments (separate copies).
/// </summary>
public sealed class JournalReplayTests
{
    private const long WrittenAt = 1_780_000_000_000;
    private readonly ShardRouter _router = new(shards: 16, workers: 2);

    [Fact]
    public void A_request_shared_by_its_shards_events_gives_every_span_once_with_its_shards_sequence_nr()
    {
        var request = Request(traces: 8);
        var replay = new JournalReplay(_router);
        var sequences = ShardsOf(request).ToDictionary(shard => shard, shard => 10L + shard);
        foreach (var (shard, sequenceNr) in sequences)
        {
            replay.Add(SpansAppended(shard, sequenceNr, request));
        }

        var spans = Replayed(replay);

        Assert.Equal(16, spans.Count);
        Assert.All(spans, span => Assert.Equal(sequences[span.Shard], span.SequenceNr));
        Assert.Equal(8, replay.RecoveredTraces);
    }

    [Fact]
    public void A_request_whose_events_landed_in_two_segments_still_gives_every_span_once()
    {
        // Two segments decode to two copies of the request; each copy gives only its own shards' spans.
        var request = Request(traces: 8);
        var shards = ShardsOf(request).ToList();
        Assert.True(shards.Count >= 2, "the traces fall in at least two shards");
        var replay = new JournalReplay(_router);
        var copy = (byte[])request.Clone();
        for (var i = 0; i < shards.Count; i++)
        {
            replay.Add(SpansAppended(shards[i], 1, i % 2 == 0 ? request : copy));
        }

        var spans = Replayed(replay);

        Assert.Equal(16, spans.Count);
        Assert.Equal(16, spans.Select(span => (span.TraceId, span.Offset)).Distinct().Count());
    }

    [Fact]
    public void Spans_of_a_truncated_shard_and_of_traces_completed_later_are_not_replayed()
    {
        var request = Request(traces: 8);
        var shards = ShardsOf(request).ToList();
        Assert.True(shards.Count >= 3, "the traces fall in at least three shards");
        var replay = new JournalReplay(_router);
        foreach (var shard in shards.Skip(1))
        {
            replay.Add(SpansAppended(shard, 5, request));
        }

        var completed = TraceOfShard(request, shards[^1]);
        replay.Add(Event(shards[^1], 6, ShardEventType.TraceCompleted, new ShardDecisionRecord(completed, -1, 0).Encode()));
        var kept = TraceOfShard(request, shards[1]);
        replay.Add(Event(shards[1], 6, ShardEventType.TraceKept, new ShardDecisionRecord(kept, 0, 1).Encode()));

        var spans = Replayed(replay);

        Assert.DoesNotContain(spans, span => span.Shard == shards[0]);
        Assert.DoesNotContain(spans, span => span.TraceId == completed);
        Assert.Contains(spans, span => span.TraceId == kept);
        Assert.Equal([(shards[^1], completed)], replay.Completed().Select(c => (c.Shard, c.Record.TraceId)));
        Assert.Equal([(shards[1], kept)], replay.Kept().Select(k => (k.Shard, k.Record.TraceId)));
    }

    [Fact]
    public void A_trace_kept_and_then_completed_is_not_exported_again()
    {
        var replay = new JournalReplay(_router);
        var trace = TraceId.FromBytes(OtlpSamples.TraceId(3).Span);
        var shard = _router.ShardOf(trace);
        replay.Add(Event(shard, 1, ShardEventType.TraceKept, new ShardDecisionRecord(trace, 0, 1).Encode()));
        replay.Add(Event(shard, 2, ShardEventType.TraceCompleted, new ShardDecisionRecord(trace, 0, 1).Encode()));

        Assert.Empty(replay.Kept());
        Assert.Single(replay.Completed());
    }

    [Fact]
    public void A_late_span_whose_trace_completed_after_it_comes_back_unless_the_completion_covers_its_event()
    {
        // Event 1 holds the trace's first span, which decided it; event 3 a late span, exported on its own. The
        // completion of the trace's export (event 4) covers event 1 only: a crash before the late span's export
        // was delivered must bring the late span back.
        var trace = TraceId.FromBytes(OtlpSamples.TraceId(4).Span);
        var shard = _router.ShardOf(trace);
        var first = OtlpSamples.Traces(OtlpSamples.Span(4, 1)).ToByteArray();
        var late = OtlpSamples.Traces(OtlpSamples.Span(4, 2, parent: 1)).ToByteArray();
        var record = new ShardDecisionRecord(trace, 0, 1);

        var replay = new JournalReplay(_router);
        replay.Add(SpansAppended(shard, 1, first));
        replay.Add(Event(shard, 2, ShardEventType.TraceKept, record.Encode()));
        replay.Add(SpansAppended(shard, 3, late));
        replay.Add(Event(shard, 4, ShardEventType.TraceCompleted, record.EncodeCompletion(coveredUpTo: 1)));
        var (_, batch, _) = Assert.Single(replay.SpanBatches());
        Assert.Equal(3, batch.Sequences![shard]);
        Assert.Equal(1, batch.Count);

        // A completion written before completions named their event covers everything, as it did then.
        var older = new JournalReplay(_router);
        older.Add(SpansAppended(shard, 1, first));
        older.Add(SpansAppended(shard, 3, late));
        older.Add(Event(shard, 4, ShardEventType.TraceCompleted, record.Encode()));
        Assert.Empty(older.SpanBatches());
    }

    private static byte[] Request(int traces) =>
        OtlpSamples.Traces([.. Enumerable.Range(1, traces).SelectMany(trace => new[] { OtlpSamples.Span(trace, 1), OtlpSamples.Span(trace, 2, parent: 1) })])
            .ToByteArray();

    private static JournalEvent SpansAppended(int shard, long sequenceNr, byte[] request) =>
        Event(shard, sequenceNr, ShardEventType.SpansAppended, request);

    private static JournalEvent Event(int shard, long sequenceNr, ShardEventType type, byte[] payload) =>
        new(ShardJournal.PersistenceId(shard), sequenceNr, (int)type, payload, WrittenAt);

    private SortedSet<int> ShardsOf(byte[] request)
    {
        var (batches, _) = TraceRequestSplitter.Split(request, _router);
        var shards = new SortedSet<int>();
        foreach (var batch in batches)
        {
            if (batch is null)
            {
                continue;
            }

            foreach (var routed in batch.Spans)
            {
                shards.Add(routed.Shard);
                routed.Span.Request.Release();
            }

            batch.Return();
        }

        return shards;
    }

    // The first of the request's traces (1 to 8) that falls in the shard.
    private TraceId TraceOfShard(byte[] request, int shard)
    {
        for (var trace = 1; trace <= 8; trace++)
        {
            var id = TraceId.FromBytes(OtlpSamples.TraceId(trace).Span);
            if (_router.ShardOf(id) == shard)
            {
                return id;
            }
        }

        throw new InvalidOperationException($"no trace of the request falls in shard {shard} ({request.Length} bytes)");
    }

    private List<(int Shard, TraceId TraceId, long SequenceNr, int Offset)> Replayed(JournalReplay replay)
    {
        var spans = new List<(int, TraceId, long, int)>();
        foreach (var (worker, batch, writtenAt) in replay.SpanBatches())
        {
            Assert.Equal(WrittenAt, writtenAt);
            foreach (var routed in batch.Spans)
            {
                Assert.Equal(worker, _router.WorkerOfShard(routed.Shard));
                spans.Add((routed.Shard, routed.TraceId, batch.Sequences![routed.Shard], routed.Span.Offset));
                routed.Span.Request.Release();
            }

            batch.Return();
        }

        return spans;
    }
}
