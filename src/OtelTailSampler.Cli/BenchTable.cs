using System.Globalization;
using System.Text;
using OtelTailSampler.LoadGen;

namespace OtelTailSampler.Cli;

/// <summary>The benchmark's one table, in Markdown so it pastes into docs/PERFORMANCE.md as it is.</summary>
internal static class BenchTable
{
    public static string Format(IReadOnlyList<BenchResult> rows, BenchOptions options, string machine)
    {
        var c = CultureInfo.InvariantCulture;
        var baseline = rows.FirstOrDefault(r => r.Variant == BenchVariants.Baseline);
        var text = new StringBuilder();
        text.AppendLine(c, $"End-to-end, one node: OTLP/{(options.Protocol == LoadGenProtocol.Grpc ? "gRPC" : "HTTP")}{(options.Gzip ? " gzip" : "")}, " +
            $"{options.Duration.TotalSeconds:0.#}s per variant after {options.Warmup.TotalSeconds:0.#}s of warm-up, load at the highest rate acknowledged " +
            $"({options.Concurrency} batches in flight), seed {options.Seed}");
        text.AppendLine(c, $"Machine: {machine}");
        text.AppendLine();
        text.AppendLine(c, $"| variant | spans/s | vs {BenchVariants.Baseline} | ack p50 | ack p99 | ½ load: spans/s | ½ load: ack p50 | ½ load: ack p99 | node CPU s / M spans | node peak RSS | bytes / buffered span |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var row in rows)
        {
            var ratio = baseline is null || baseline.SpansPerSecond <= 0 ? "n/a" : (row.SpansPerSecond / baseline.SpansPerSecond).ToString("0.00", c);
            var memory = row.Memory is { } m
                ? string.Create(c, $"{m.OverheadBytesPerSpan:N0} + {m.WireBytesPerSpan:N0} wire")
                : "n/a";
            var half = row.HalfLoad is { } h
                ? string.Create(c, $"{h.SpansPerSecond:N0} | {LoadGenSummary.Milliseconds(h.AckLatencyP50)} ms | {LoadGenSummary.Milliseconds(h.AckLatencyP99)} ms")
                : "n/a | n/a | n/a";
            text.AppendLine(c, $"| {row.Variant} | {row.SpansPerSecond:N0} | {ratio} | {LoadGenSummary.Milliseconds(row.Load.AckLatencyP50)} ms | " +
                $"{LoadGenSummary.Milliseconds(row.Load.AckLatencyP99)} ms | {half} | {row.CpuSecondsPerMillionSpans:0.00} | {row.PeakResidentBytes / 1048576.0:N0} MiB | {memory} |");
        }

        text.AppendLine();
        foreach (var row in rows.Where(r => r.Memory is not null))
        {
            var m = row.Memory!;
            text.AppendLine(c, $"{row.Variant}: holding {m.Spans:N0} spans in {m.Traces:N0} traces took {m.HeapBytes / 1048576.0:N1} MiB of heap for " +
                $"{m.SpanWireBytes / 1048576.0:N1} MiB of span bytes ({m.RequestBytes / 1048576.0:N1} MiB of requests): {m.OverheadBytesPerSpan:N0} bytes per span " +
                $"beyond its wire bytes; the trace shards count {m.AccountedOverheadBytesPerSpan:N0}.");
        }

        foreach (var row in rows.Where(r => r.Journal is not null))
        {
            var j = row.Journal!;
            text.AppendLine(c, $"{row.Variant}: at the end of the {(row.HalfLoad is null ? "maximum-load" : "half-load")} run the journal held {j.Segments:N0} segments, " +
                $"{j.StoredBytes / 1048576.0:N1} MiB stored (deflated; what max-journal-bytes counts), {j.DiskBytes / 1048576.0:N1} MiB on disk.");
        }

        foreach (var row in rows.Where(r => r.Links is { Count: > 0 }))
        {
            var links = row.Links!.Select(l => string.Create(c, $"{l.From} → {l.To} {l.SpansPerSecond:N0} spans/s, {l.BytesPerSecond / 1e6:0.00} MB/s"));
            text.AppendLine(c, $"{row.Variant}: forwarded per link over the maximum-load run (parts their owner answered): {string.Join("; ", links)}.");
        }

        foreach (var (row, load, run) in rows.SelectMany(r => new[] { (r, r.Load, "maximum load"), (r, r.HalfLoad, "half load") }))
        {
            if (load is null || load.AllAcknowledged)
            {
                continue;
            }

            var lost = load.Spans.Rejected + load.Spans.Failed;
            var problems = string.Join("; ", load.Problems.Select(p => string.Create(c, $"{p.Problem} ({p.Count:N0})")));
            text.AppendLine(c, $"{row.Variant} ({run}): {lost:N0} spans not acknowledged ({load.Spans.Rejected:N0} rejected, {load.Spans.Failed:N0} failed); {problems}");
        }

        text.AppendLine(c, $"spans/s: acknowledged spans over the measured run; ack latency: request to acknowledgement; ½ load: a second run at half the " +
            $"rate reached, open loop (latency counts from when a request was due); node CPU: utime + stime of the node " +
            $"process over the run; bytes / buffered span: managed heap per span held by the trace shards, measured in-process with the variant's settings.");
        return text.ToString();
    }
}
