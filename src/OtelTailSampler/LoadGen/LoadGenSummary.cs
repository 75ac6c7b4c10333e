using System.Globalization;
using System.Text;

namespace OtelTailSampler.LoadGen;

/// <summary>The result of a run: counts per signal, throughput and ack latency.</summary>
public sealed record LoadGenSummary
{
    public required TimeSpan Elapsed { get; init; }

    public required LoadGenProtocol Protocol { get; init; }

    public required int Endpoints { get; init; }

    public required long Seed { get; init; }

    /// <summary>The requested rate in spans per second; null when the run went as fast as acknowledged.</summary>
    public required double? Rate { get; init; }

    public required SignalTotals Spans { get; init; }

    public required SignalTotals LogRecords { get; init; }

    public required SignalTotals DataPoints { get; init; }

    /// <summary>Attempts that were refused or unanswered and tried again.</summary>
    public required long Retries { get; init; }

    /// <summary>From the first attempt (in an open-loop run, from when the batch was due) to the acknowledgement.</summary>
    public required TimeSpan AckLatencyP50 { get; init; }

    public required TimeSpan AckLatencyP99 { get; init; }

    public required long AcknowledgedRequests { get; init; }

    /// <summary>The target's answers to requests that were not acknowledged, with how often each came, most frequent first.</summary>
    public required IReadOnlyList<(string Problem, long Count)> Problems { get; init; }

    /// <summary>Acknowledged spans per second of the whole run.</summary>
    public double SpansPerSecond => Spans.Acknowledged / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>True when every item sent was acknowledged.</summary>
    public bool AllAcknowledged => Spans.Sent == Spans.Acknowledged && LogRecords.Sent == LogRecords.Acknowledged && DataPoints.Sent == DataPoints.Acknowledged;

    /// <summary>The summary as the command prints it.</summary>
    public string Format()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var rate = Rate is { } r ? string.Create(c, $"at {r:N0} spans/s") : "as fast as acknowledged";
        var endpoints = Endpoints == 1 ? "1 endpoint" : string.Create(c, $"{Endpoints} endpoints");
        text.AppendLine(c, $"OTel Tail Sampler load: {Elapsed.TotalSeconds:0.0}s {rate} to {endpoints} over {Protocol.ToString().ToLowerInvariant()}, seed {Seed}");
        text.AppendLine(c, $"{"",-12} {"requests",10} {"sent",14} {"acknowledged",14} {"rejected",10} {"failed",10}");
        Row(text, "spans", Spans);
        Row(text, "log records", LogRecords);
        Row(text, "data points", DataPoints);
        var seconds = Math.Max(Elapsed.TotalSeconds, 1e-9);
        text.AppendLine(c, $"throughput: {SpansPerSecond:N0} spans/s acknowledged (and {LogRecords.Acknowledged / seconds:N0} log records/s, {DataPoints.Acknowledged / seconds:N0} data points/s)");
        text.AppendLine(c, $"ack latency: p50 {Milliseconds(AckLatencyP50)} ms, p99 {Milliseconds(AckLatencyP99)} ms over {AcknowledgedRequests:N0} acknowledged requests; {Retries:N0} attempts retried");
        foreach (var (problem, count) in Problems)
        {
            text.AppendLine(c, $"not acknowledged ({count:N0}×): {problem}");
        }

        return text.ToString();
    }

    /// <summary>Milliseconds with two decimals below 10 ms and one above, as the summary and the progress line print them.</summary>
    public static string Milliseconds(TimeSpan value) => value.TotalMilliseconds.ToString(value.TotalMilliseconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    private static void Row(StringBuilder text, string name, SignalTotals totals) =>
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{name,-12} {totals.Requests,10:N0} {totals.Sent,14:N0} {totals.Acknowledged,14:N0} {totals.Rejected,10:N0} {totals.Failed,10:N0}");
}
