using OtelTailSampler.Persistence;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Recovery's view of the journal, read in one pass in write order: which traces were completed (and at which
/// sequence number), which kept ones still wait for delivery, and the spans to buffer again. The SpansAppended
/// events of one request share its bytes, so each request is split once and its spans go to the shards whose
/// events survived, minus the traces completed after them.
/// </summary>
internal sealed class JournalReplay(ShardRouter router)
{
    private readonly ShardRouter _router = router;
    private readonly Dictionary<PayloadIdentity, RequestEvents> _requests = [];
    private readonly List<RequestEvents> _requestOrder = [];
    private readonly Dictionary<(int Shard, TraceId TraceId), ShardDecisionRecord> _kept = [];
    private readonly Dictionary<(int Shard, TraceId TraceId), (long SequenceNr, ShardDecisionRecord Record, long CoveredUpTo)> _completed = [];
    private readonly HashSet<TraceId> _recoveredTraces = [];

    /// <summary>Distinct traces whose spans went back to their shards.</summary>
    public int RecoveredTraces => _recoveredTraces.Count;

    /// <summary>Takes the next replayed event; events of ids that are not shards of this node's router are ignored.</summary>
    public void Add(JournalEvent journalEvent)
    {
        ArgumentNullException.ThrowIfNull(journalEvent);
        if (ShardJournal.ShardOf(journalEvent.PersistenceId) is not { } shard || shard >= _router.Shards)
        {
            return;
        }

        switch ((ShardEventType)journalEvent.EventType)
        {
            case ShardEventType.SpansAppended:
                var key = PayloadIdentity.Of(journalEvent.Payload, unique: _requestOrder.Count);
                if (!_requests.TryGetValue(key, out var request))
                {
                    request = new RequestEvents(journalEvent.Payload, journalEvent.WrittenAtUnixMs);
                    _requests[key] = request;
                    _requestOrder.Add(request);
                }

                request.Sequences[shard] = journalEvent.SequenceNr;
                break;
            case ShardEventType.TraceKept:
                var kept = ShardDecisionRecord.Decode(journalEvent.Payload.Span);
                _kept[(shard, kept.TraceId)] = kept;
                break;
            case ShardEventType.TraceCompleted:
                var done = ShardDecisionRecord.DecodeCompletion(journalEvent.Payload.Span, out var coveredUpTo);
                _completed[(shard, done.TraceId)] = (journalEvent.SequenceNr, done, coveredUpTo);
                _kept.Remove((shard, done.TraceId));
                break;
        }
    }

    /// <summary>Decisions of completed traces, for the decision caches.</summary>
    public IEnumerable<(int Shard, ShardDecisionRecord Record)> Completed() =>
        _completed.Select(completed => (completed.Key.Shard, completed.Value.Record));

    /// <summary>Kept traces whose delivery the journal has not seen; to export again once their spans are back.</summary>
    public IEnumerable<(int Shard, ShardDecisionRecord Record)> Kept() =>
        _kept.Select(kept => (kept.Key.Shard, kept.Value));

    /// <summary>
    /// The spans to buffer again, as one batch per request and router group (in the order the requests were written),
    /// with the sequence number of each shard's event and the time it was written.
    /// </summary>
    public IEnumerable<(int Worker, SpanBatch Batch, long WrittenAtUnixMs)> SpanBatches()
    {
        foreach (var request in _requestOrder)
        {
            // The event's bytes are a slice of its whole inflated segment: the spans get a copy of just the request,
            // so one long-lived trace does not keep every segment it was committed in alive.
            var bytes = request.Payload.ToArray();
            request.Payload = ReadOnlyMemory<byte>.Empty;
            var (batches, _) = TraceRequestSplitter.Split(bytes, _router);
            for (var worker = 0; worker < batches.Length; worker++)
            {
                if (batches[worker] is not { } split)
                {
                    continue;
                }

                var replay = new SpanBatch { Sequences = [] };
                foreach (var routed in split.Spans)
                {
                    // A shard whose event was truncated, or a trace completed after this event by a completion that covers
                    // it, needs nothing from it. A late span (in an event after the trace's last buffered one) is not
                    // covered: it comes back and follows the decision again, delivered twice at worst.
                    if (!request.Sequences.TryGetValue(routed.Shard, out var sequenceNr)
                        || (_completed.TryGetValue((routed.Shard, routed.TraceId), out var done) && done.SequenceNr > sequenceNr && done.CoveredUpTo >= sequenceNr))
                    {
                        routed.Span.Request.Release();
                        continue;
                    }

                    replay.Sequences[routed.Shard] = sequenceNr;
                    _recoveredTraces.Add(routed.TraceId);
                    replay.Add(routed);
                }

                split.Return();
                if (replay.Count > 0)
                {
                    yield return (worker, replay, request.WrittenAtUnixMs);
                }
                else
                {
                    replay.Return();
                }
            }
        }
    }

    private sealed class RequestEvents(ReadOnlyMemory<byte> payload, long writtenAtUnixMs)
    {
        public ReadOnlyMemory<byte> Payload { get; set; } = payload;

        public long WrittenAtUnixMs { get; } = writtenAtUnixMs;

        public Dictionary<int, long> Sequences { get; } = [];
    }
}
