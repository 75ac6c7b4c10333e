using System.Diagnostics.Metrics;

namespace OtelTailSampler.Sharding;

/// <summary>The sampler's instruments. Tag values are preallocated strings, so recording allocates nothing.</summary>
public sealed class SamplerMetrics : IDisposable
{
    private static readonly string[] ReasonNames = ["timer", "root", "size", "memory_pressure", "shutdown", "handoff"];

    private readonly Meter _meter;
    private readonly Counter<long> _spansReceived;
    private readonly Counter<long> _tracesDecided;
    private readonly Counter<long> _tracesKept;
    private readonly Counter<long> _tracesDropped;
    private readonly Counter<long> _lateSpans;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _replicatedDecisionsFollowed;
    private readonly Counter<long> _forwardedSpans;
    private readonly Counter<long> _forwardedBytes;
    private Func<long>? _bufferedTraces;
    private Func<long>? _bufferedBytes;
    private Func<long>? _pendingExportBytes;

    public SamplerMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(Otlp.ReceiverMetrics.MeterName) ?? new Meter(Otlp.ReceiverMetrics.MeterName);
        _spansReceived = _meter.CreateCounter<long>("otelsampler.sampling.spans_received", "{span}", "Spans taken by shard workers.");
        _tracesDecided = _meter.CreateCounter<long>("otelsampler.sampling.traces_decided", "{trace}", "Traces decided, by reason.");
        _tracesKept = _meter.CreateCounter<long>("otelsampler.sampling.traces_kept", "{trace}", "Traces kept, by the policy that kept them.");
        _tracesDropped = _meter.CreateCounter<long>("otelsampler.sampling.traces_dropped", "{trace}", "Traces not kept, by the drop policy that matched (or none).");
        _lateSpans = _meter.CreateCounter<long>("otelsampler.sampling.late_spans", "{span}", "Spans that arrived after their trace was decided, by decision.");
        _cacheMisses = _meter.CreateCounter<long>("otelsampler.sampling.decision_cache_misses", "{lookup}", "Spans of unbuffered traces not found in the decision cache (first spans of new traces, or decisions already forgotten).");
        _replicatedDecisionsFollowed = _meter.CreateCounter<long>("otelsampler.decisions.replicated_followed", "{trace}",
            "Traces whose late spans followed a decision that another node made and replicated (the shard moved here since), by decision.");
        _meter.CreateObservableGauge("otelsampler.sampling.traces_buffered", () => _bufferedTraces?.Invoke() ?? 0, "{trace}", "Traces in memory, undecided.");
        _meter.CreateObservableGauge("otelsampler.sampling.bytes_buffered", () => _bufferedBytes?.Invoke() ?? 0, "By", "Bytes of spans in memory, undecided, with their bookkeeping.");
        _meter.CreateObservableGauge("otelsampler.export.pending_bytes", () => _pendingExportBytes?.Invoke() ?? 0, "By", "Bytes of kept traces handed to the exporter and not yet delivered.");
        (_forwardedSpans, _forwardedBytes) = CreateLinkCounters(_meter);
    }

    /// <summary>The meter the instruments belong to, so a listener can tell this node's from another's.</summary>
    public Meter Meter => _meter;

    /// <summary>Wires the gauges to the workers' live figures.</summary>
    public void ObserveBuffers(Func<long> traces, Func<long> bytes)
    {
        _bufferedTraces = traces;
        _bufferedBytes = bytes;
    }

    /// <summary>Wires the pending-export gauge to the pipeline's live figure; read at each collection, from any thread.</summary>
    public void ObservePendingExport(Func<long> bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _pendingExportBytes = bytes;
    }

    public void SpansReceived(int count) => _spansReceived.Add(count);

    public void Decided(DecisionReason reason) => _tracesDecided.Add(1, new KeyValuePair<string, object?>("reason", ReasonNames[(int)reason]));

    public void Kept(string policy) => _tracesKept.Add(1, new KeyValuePair<string, object?>("policy", policy));

    public void Dropped(string? dropPolicy) => _tracesDropped.Add(1, new KeyValuePair<string, object?>("policy", dropPolicy ?? "none"));

    public void LateSpan(bool kept) => _lateSpans.Add(1, new KeyValuePair<string, object?>("decision", kept ? "kept" : "dropped"));

    public void CacheMiss() => _cacheMisses.Add(1);

    public void ReplicatedDecisionFollowed(bool kept) =>
        _replicatedDecisionsFollowed.Add(1, new KeyValuePair<string, object?>("decision", kept ? "kept" : "dropped"));

    public void Dispose() => _meter.Dispose();

    // ---- Forwarding between nodes, per link (the 3-node profile's counters) ----

    /// <summary>The tag that names the node a part went to, as host:port of its Akka.Remote endpoint; made once per peer.</summary>
    public static KeyValuePair<string, object?> PeerTag(string peer) => new("peer", peer);

    /// <summary>A part of <paramref name="spans"/> spans, <paramref name="bytes"/> bytes on the link, that the owner <paramref name="peer"/> answered.</summary>
    public void Forwarded(KeyValuePair<string, object?> peer, int spans, int bytes)
    {
        _forwardedSpans.Add(spans, peer);
        _forwardedBytes.Add(bytes, peer);
    }

    private static (Counter<long> Spans, Counter<long> Bytes) CreateLinkCounters(Meter meter) => (
        meter.CreateCounter<long>("otelsampler.cluster.forwarded_spans", "{span}", "Spans this node sent to the node owning their trace shard, by that node (peer); counted when the owner answered."),
        meter.CreateCounter<long>("otelsampler.cluster.forwarded_bytes", "By", "Bytes of trace shard parts this node sent to their owner, by that node (peer): the serialized part, before Akka.Remote's envelope."));
}
