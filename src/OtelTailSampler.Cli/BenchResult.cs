using OtelTailSampler.LoadGen;

namespace OtelTailSampler.Cli;

/// <summary>One row of the benchmark table: what a variant's node did under maximum load.</summary>
/// <param name="Variant">The variant's name.</param>
/// <param name="Load">The load generator's summary of the measured run (warm-up excluded).</param>
/// <param name="NodeCpu">CPU time the node used during the measured run.</param>
/// <param name="PeakResidentBytes">The node's peak RSS over its whole life (warm-up included).</param>
/// <param name="Memory">The in-process buffer measurement with the variant's sampling settings; null where nothing is buffered.</param>
/// <param name="HalfLoad">The run at half of the rate reached, for acknowledgement latency at a sustainable load; null when skipped.</param>
/// <param name="Journal">What the node's journal held at the end of the last run, while the node still ran; null without a journal.</param>
/// <param name="Links">In a cluster, what each node forwarded to each other during the measured run; empty for one node.</param>
internal sealed record BenchResult(
    string Variant, LoadGenSummary Load, TimeSpan NodeCpu, long PeakResidentBytes, BufferMemoryResult? Memory, LoadGenSummary? HalfLoad = null, JournalFootprint? Journal = null,
    IReadOnlyList<BenchLink>? Links = null)
{
    public double SpansPerSecond => Load.SpansPerSecond;

    /// <summary>Node CPU seconds per million acknowledged spans.</summary>
    public double CpuSecondsPerMillionSpans => NodeCpu.TotalSeconds / Math.Max(1, Load.Spans.Acknowledged) * 1_000_000;
}
