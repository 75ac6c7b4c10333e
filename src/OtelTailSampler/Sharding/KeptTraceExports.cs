using System.Collections.Concurrent;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Sharding;

/// <summary>
/// A trace shard's kept traces on their way to the exporter. Without a journal a trace is handed over once and
/// forgotten, and held here only while the exporter's queue is full. With one it stays a <see cref="PendingExport"/>
/// until the exporter reports it delivered (then the shard journals its completion) or refused; one the exporter
/// abandoned for now is offered again, since the journal still holds it. Owned by the shard's actor; only the
/// exporter's results arrive from other threads. The node's <see cref="NodeTraceBudget"/> counts what is pending.
/// </summary>
internal sealed class KeptTraceExports
{
    private readonly ITelemetryExporter _exporter;
    private readonly Action _wake;
    private readonly Action<PendingExport> _delivered;
    private readonly Queue<(RentedRequest Request, int Spans)> _unsent = new();
    private readonly ConcurrentQueue<RentedRequest> _rentedRequests = new();
    private readonly Dictionary<long, PendingExport> _pending = [];
    private readonly ConcurrentQueue<(long Id, ExportResult Result)> _results = new();
    private readonly Queue<long> _retry = new();
    private readonly NodeTraceBudget _budget;
    private long _nextId;

    /// <param name="wake">Asks the shard to handle results now rather than at its next tick.</param>
    /// <param name="delivered">A pending export the backend has (or refused for good): the shard completes its trace.</param>
    public KeptTraceExports(ITelemetryExporter exporter, NodeTraceBudget budget, Action wake, Action<PendingExport> delivered)
    {
        _exporter = exporter;
        _budget = budget;
        _wake = wake;
        _delivered = delivered;
    }

    public IEnumerable<PendingExport> Pending => _pending.Values;

    /// <summary>Whether anything waits for the backend or for room in the exporter's queue.</summary>
    public bool Idle => _pending.Count == 0 && _unsent.Count == 0;

    /// <summary>
    /// Hands a kept trace to the exporter without a journal behind it, in a pooled array that returns to the pool
    /// once the exporter is done. A full queue must not lose it: it waits here, in order, for <see cref="OfferUnsent"/>.
    /// </summary>
    public void Send(ReadOnlySpan<byte> written, int spans)
    {
        var request = RentedRequest.Rent(_rentedRequests, written);
        if (_unsent.Count > 0 || !_exporter.TryEnqueue(OtlpSignal.Traces, request.Memory, spans, request.Completed, durable: false))
        {
            _unsent.Enqueue((request, spans));
        }
    }

    /// <summary>Offers the exporter what its full queue turned away, oldest first, until it turns one away again.</summary>
    public void OfferUnsent()
    {
        while (_unsent.TryPeek(out var unsent)
            && _exporter.TryEnqueue(OtlpSignal.Traces, unsent.Request.Memory, unsent.Spans, unsent.Request.Completed, durable: false))
        {
            _unsent.Dequeue();
        }
    }

    /// <summary>What the exporter's full queue turned away, for the node to hand over as it stops; none is left here.</summary>
    public List<(RentedRequest Request, int Spans)> TakeUnsent()
    {
        var unsent = _unsent.ToList();
        _unsent.Clear();
        return unsent;
    }

    /// <summary>Hands a journaled kept trace (or late span) to the exporter, and keeps it until the backend has it.</summary>
    public void Start(PendingExport export)
    {
        var id = _nextId++;
        _pending[id] = export;
        _budget.ExportPending(export.Request.Length, export.Spans);
        Send(id);
    }

    /// <summary>Takes the exporter's results: completes what was delivered, and offers again what was abandoned or not taken.</summary>
    public void HandleResults(bool stopping)
    {
        while (_results.TryDequeue(out var done))
        {
            if (!_pending.TryGetValue(done.Id, out var export))
            {
                continue;
            }

            if (done.Result == ExportResult.Abandoned)
            {
                // Still retryable: offer it again (the journal keeps it meanwhile, even across a restart).
                if (!stopping)
                {
                    _retry.Enqueue(done.Id);
                }

                continue;
            }

            _pending.Remove(done.Id);
            _budget.ExportReleased(export.Request.Length);
            _delivered(export);
        }

        for (var retries = _retry.Count; retries > 0 && _retry.TryDequeue(out var id); retries--)
        {
            Send(id);
        }
    }

    private void Send(long id)
    {
        var export = _pending[id];
        if (!_exporter.TryEnqueue(OtlpSignal.Traces, export.Request, export.Spans, result =>
            {
                // Counted at once: the node's stop reports what is undelivered even when this shard is gone.
                if (result != ExportResult.Abandoned)
                {
                    _budget.ExportConfirmed(export.Spans);
                }

                _results.Enqueue((id, result));
                _wake();
            }, durable: true))
        {
            _retry.Enqueue(id);
        }
    }
}
