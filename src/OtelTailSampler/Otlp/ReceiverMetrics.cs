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

    public ReceiverMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _accepted = _meter.CreateCounter<long>("otelsampler.receiver.accepted_items", "{item}", "Items accepted from clients.");
        _rejected = _meter.CreateCounter<long>("otelsampler.receiver.rejected_items", "{item}", "Items rejected one by one through partial success.");
        _refusedRequests = _meter.CreateCounter<long>("otelsampler.receiver.refused_requests", "{request}", "Requests refused as a whole, by reason.");
    }

    public void Accepted(OtlpSignal signal, string transport, long items) =>
        _accepted.Add(items, Tag("signal", signal), new("transport", transport));

    public void Rejected(OtlpSignal signal, string transport, long items) =>
        _rejected.Add(items, Tag("signal", signal), new("transport", transport));

    public void Refused(OtlpSignal signal, string transport, string reason) =>
        _refusedRequests.Add(1, Tag("signal", signal), new("transport", transport), new("reason", reason));

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string key, OtlpSignal signal) => new(key, SignalName(signal));

    private static string SignalName(OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "traces",
        OtlpSignal.Metrics => "metrics",
        _ => "logs",
    };
}
