using System.Diagnostics.Metrics;

namespace OtelTailSampler.Otlp;

/// <summary>The receivers' instruments: items accepted, rejected and refused, by signal and transport.</summary>
public sealed class ReceiverMetrics : IDisposable
{
    public const string MeterName = "OtelTailSampler";

    private readonly Meter _meter;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _refusedRequests;
    private readonly Counter<long> _refusedItems;

    public ReceiverMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _accepted = _meter.CreateCounter<long>("otelsampler.receiver.accepted_items", "{item}", "Items accepted from clients.");
        _rejected = _meter.CreateCounter<long>("otelsampler.receiver.rejected_items", "{item}", "Items rejected one by one through partial success.");
        _refusedRequests = _meter.CreateCounter<long>("otelsampler.receiver.refused_requests", "{request}", "Requests refused as a whole, by reason.");
        _refusedItems = _meter.CreateCounter<long>("otelsampler.receiver.refused_items", "{item}", "Valid items of requests refused as a whole, by reason (counted where the request could be read).");
    }

    public void Accepted(OtlpSignal signal, string transport, long items) =>
        _accepted.Add(items, Tag("signal", signal), new("transport", transport));

    public void Rejected(OtlpSignal signal, string transport, long items) =>
        _rejected.Add(items, Tag("signal", signal), new("transport", transport));

    public void Refused(OtlpSignal signal, string transport, string reason) =>
        _refusedRequests.Add(1, Tag("signal", signal), new("transport", transport), new("reason", reason));

    /// <summary>A refused request whose items were counted: the client will send them again, or lose them.</summary>
    public void Refused(OtlpSignal signal, string transport, string reason, long items)
    {
        Refused(signal, transport, reason);
        _refusedItems.Add(items, Tag("signal", signal), new("transport", transport), new("reason", reason));
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string key, OtlpSignal signal) => new(key, SignalName(signal));

    private static string SignalName(OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "traces",
        OtlpSignal.Metrics => "metrics",
        _ => "logs",
    };
}
