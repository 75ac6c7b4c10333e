using System.Collections.Concurrent;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Sharding;

/// <summary>
/// A shard worker's kept traces on their way to the exporter. Without a journal a trace is handed over once and
/// forgotten, and held here only while the exporter's queue is full. With one it stays a <see cref="PendingExport"/>
/// until the exporter reports it delivered (then the worker journals its completion) or refused; one the exporter
/// abandoned for now is offered again, since the journal still holds it. Owned by the worker's thread; only the
/// exporter's results arrive from others.
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
    private long _nextId;
    private long _pendingBytes;

    /// <param name="wake">Asks the worker to handle results now rather than at its next tick.</param>
    /// <param name="delivered">A pending export the backend has (or refused for good): the worker completes its trace.</param>
    public KeptTraceExports(ITelemetryExporter exporter, Action wake, Action<PendingExport> delivered)
    {
        _exporter = exporter;
        _wake = wake;
        _delivered = delivered;
    }

    /// <summary>Bytes of pending exports held in memory until the backend takes them; read from other threads.</summary>
    public long PendingBytes => Volatile.Read(ref _pendingBytes);

    public IEnumerable<PendingExport> Pending => _pending.Values;

    /// <summary>Spans of pending exports the backend has not confirmed. Call once the worker and the exporter stopped.</summary>
    public long UndeliveredSpans()
    {
        long delivered = 0;
        foreach (var (id, result) in _results)
        {
            if (result != ExportResult.Abandoned && _pending.TryGetValue(id, out var export))
            {
                delivered += export.Spans;
            }
        }

        return _pending.Values.Sum(export => (long)export.Spans) - delivered;
    }

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

    /// <summary>At shutdown: hands over everything unsent, waiting for the exporter's queue to drain whenever it is full.</summary>
    public async Task SendUnsentAsync(CancellationToken cancellationToken)
    {
        while (_unsent.Count > 0)
        {
            OfferUnsent();
            if (_unsent.Count > 0)
            {
                await _exporter.FlushAsync(cancellationToken);
            }
        }
    }

    /// <summary>Hands a journaled kept trace (or late span) to the exporter, and keeps it until the backend has it.</summary>
    public void Start(PendingExport export)
    {
        var id = _nextId++;
        _pending[id] = export;
        Volatile.Write(ref _pendingBytes, _pendingBytes + export.Request.Length);
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
            Volatile.Write(ref _pendingBytes, _pendingBytes - export.Request.Length);
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
                _results.Enqueue((id, result));
                _wake();
            }, durable: true))
        {
            _retry.Enqueue(id);
        }
    }
}
