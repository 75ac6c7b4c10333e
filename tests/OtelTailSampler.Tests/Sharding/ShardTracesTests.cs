using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Sharding;

/// <summary>When traces are decided, and what a decided trace looks like, on a clock the test moves.</summary>
public sealed class ShardTracesTests
{
    private static readonly PolicyOptions KeepErrors = new StatusCodePolicyOptions("keep-errors", [SpanStatusCode.Error]);
    private static readonly PolicyOptions KeepAll = new AlwaysSamplePolicyOptions("keep-all");

    private static byte[] RandomTraceId(Random random)
    {
        var id = new byte[16];
        random.NextBytes(id);
        return id;
    }

    [Fact]
    public async Task Trace_without_root_is_decided_when_decision_wait_passes()
    {
        await using var harness = SamplingHarness.Create(policies: KeepAll);
        await harness.SendAsync(OtlpSamples.Span(1, 2, parent: 1), OtlpSamples.Span(1, 3, parent: 1));

        await harness.AdvanceAsync(TimeSpan.FromSeconds(29.8));
        Assert.Empty(harness.ExportedSpans);

        await harness.AdvanceAsync(TimeSpan.FromSeconds(0.3));
        Assert.Equal(2, harness.ExportedSpans.Count);
        Assert.Equal(1, harness.Recorder.Sum("otelsampler.sampling.traces_decided", "reason=timer"));
    }

    [Fact]
    public async Task Root_span_brings_the_decision_forward_to_the_settle_delay()
    {
        await using var harness = SamplingHarness.Create(policies: KeepAll);
        await harness.SendAsync(OtlpSamples.Span(1, 2, parent: 1));
        await harness.AdvanceAsync(TimeSpan.FromSeconds(5));
        await harness.SendAsync(OtlpSamples.Span(1, 1));

        await harness.AdvanceAsync(TimeSpan.FromSeconds(1.8));
        Assert.Empty(harness.ExportedSpans);

        await harness.AdvanceAsync(TimeSpan.FromSeconds(0.3));
        Assert.Equal(2, harness.ExportedSpans.Count);
        Assert.Equal(1, harness.Recorder.Sum("otelsampler.sampling.traces_decided", "reason=root"));
    }

    [Fact]
    public async Task Zero_settle_delay_turns_root_decisions_off()
    {
        await using var harness = SamplingHarness.Create(o => o with { RootSettleDelay = TimeSpan.Zero }, policies: KeepAll);
        await harness.SendAsync(OtlpSamples.Span(1, 1));

        await harness.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(harness.ExportedSpans);

        await harness.AdvanceAsync(TimeSpan.FromSeconds(21));
        Assert.Single(harness.ExportedSpans);
    }

    [Fact]
    public async Task Reaching_max_spans_decides_at_once()
    {
        await using var harness = SamplingHarness.Create(o => o with { MaxSpansPerTrace = 3 }, policies: KeepAll);
        await harness.SendAsync(OtlpSamples.Span(1, 2, parent: 1), OtlpSamples.Span(1, 3, parent: 1));
        Assert.Empty(harness.ExportedSpans);

        await harness.SendAsync(OtlpSamples.Span(1, 4, parent: 1));

        Assert.Equal(3, harness.ExportedSpans.Count);
        Assert.Equal(1, harness.Recorder.Sum("otelsampler.sampling.traces_decided", "reason=size"));
    }

    [Fact]
    public async Task Reaching_max_bytes_decides_at_once()
    {
        var big = OtlpSamples.Span(1, 2, parent: 1);
        big.Attributes.Add(OtlpSamples.Attribute("payload", new string('x', 2000)));
        await using var harness = SamplingHarness.Create(o => o with { MaxBytesPerTrace = 1500 }, policies: KeepAll);

        await harness.SendAsync(big);

        Assert.Single(harness.ExportedSpans);
        Assert.Equal(1, harness.Recorder.Sum("otelsampler.sampling.traces_decided", "reason=size"));
    }

    [Fact]
    public async Task Memory_pressure_decides_the_oldest_traces_early_and_never_drops_them_undecided()
    {
        await using var harness = SamplingHarness.Create(o => o with { MaxTraces = 2 }, KeepAll);
        await harness.SendAsync(OtlpSamples.Span(1, 1, parent: 9));
        await harness.SendAsync(OtlpSamples.Span(2, 1, parent: 9));
        Assert.Empty(harness.ExportedSpans);

        await harness.SendAsync(OtlpSamples.Span(3, 1, parent: 9));

        var exported = Assert.Single(harness.ExportedSpans);
        Assert.Equal(OtlpSamples.TraceId(1), exported.TraceId);
        Assert.Equal(1, harness.Recorder.Sum("otelsampler.sampling.traces_decided", "reason=memory_pressure"));
        Assert.Equal(2, harness.Pipeline.Shards.Budget.BufferedTraces);
    }

    [Fact]
    public async Task Memory_pressure_by_bytes_decides_early()
    {
        // Room for two spans and their bookkeeping, not three.
        var spanBytes = OtlpSamples.Span(1, 1, parent: 9).CalculateSize() + TraceBuffer.SpanOverheadBytes;
        await using var harness = SamplingHarness.Create(o => o with { MaxBufferedBytes = (2 * spanBytes) + 10 }, KeepAll);
        for (var trace = 1; trace <= 4; trace++)
        {
            await harness.SendAsync(OtlpSamples.Span(trace, 1, parent: 9));
        }

        Assert.Equal(2, harness.Pipeline.Shards.Budget.BufferedTraces);
        Assert.Equal(2 * spanBytes, harness.Pipeline.BufferedBytes);
        Assert.Equal(2, harness.Recorder.Sum("otelsampler.sampling.traces_decided", "reason=memory_pressure"));
        Assert.Equal([OtlpSamples.TraceId(1), OtlpSamples.TraceId(2)], harness.ExportedSpans.Select(s => s.TraceId));
    }

    [Fact]
    public async Task Kept_trace_is_exported_whole_with_its_resource_scope_and_sampling_attributes()
    {
        await using var harness = SamplingHarness.Create(policies: KeepErrors);
        var root = OtlpSamples.Span(7, 1);
        var child = SamplingHarness.ErrorSpan(7, 2, parent: 1);
        var first = OtlpSamples.Traces(child);
        first.ResourceSpans[0].Resource.Attributes.Add(OtlpSamples.Attribute("host.name", "a"));
        await harness.SendAsync(first);
        await harness.SendAsync(OtlpSamples.Traces(root));

        await harness.AdvanceAsync(TimeSpan.FromSeconds(2.1));

        var exported = Assert.Single(harness.Exporter.Traces);
        Assert.Equal(2, exported.ResourceSpans.Count);
        Assert.Equal(first.ResourceSpans[0].Resource, exported.ResourceSpans[0].Resource);
        Assert.Equal(first.ResourceSpans[0].SchemaUrl, exported.ResourceSpans[0].SchemaUrl);
        Assert.Equal(first.ResourceSpans[0].ScopeSpans[0].Scope, exported.ResourceSpans[0].ScopeSpans[0].Scope);
        foreach (var (original, span) in new[] { (child, exported.ResourceSpans[0].ScopeSpans[0].Spans[0]), (root, exported.ResourceSpans[1].ScopeSpans[0].Spans[0]) })
        {
            var expected = original.Clone();
            expected.Attributes.Add(new KeyValue { Key = "sampling.policy", Value = new AnyValue { StringValue = "keep-errors" } });
            expected.Attributes.Add(new KeyValue { Key = "sampling.adjusted_count", Value = new AnyValue { DoubleValue = 1 } });
            Assert.Equal(expected, span);
        }

        Assert.Equal(1, harness.Recorder.Sum("otelsampler.sampling.traces_kept", "policy=keep-errors"));
    }

    [Fact]
    public async Task Probabilistic_keep_carries_its_adjusted_count()
    {
        await using var harness = SamplingHarness.Create(policies: new ProbabilisticPolicyOptions("one-in-four", 25, "salt"));
        var random = new Random(11);
        for (var trace = 1; trace <= 200; trace++)
        {
            // Real trace IDs are random; the hash (FNV-1a, as the Collector's) needs that.
            var span = OtlpSamples.Span(trace, 1);
            span.TraceId = ByteString.CopyFrom(RandomTraceId(random));
            await harness.SendAsync(span);
        }

        await harness.AdvanceAsync(TimeSpan.FromSeconds(3));

        var spans = harness.ExportedSpans;
        Assert.InRange(spans.Count, 20, 80);
        Assert.All(spans, span => Assert.Equal(4.0, span.Attributes.Single(a => a.Key == "sampling.adjusted_count").Value.DoubleValue));
    }

    [Fact]
    public async Task Late_span_of_a_kept_trace_is_exported_at_once_with_the_same_policy()
    {
        await using var harness = SamplingHarness.Create(policies: KeepErrors);
        await harness.SendAsync(SamplingHarness.ErrorSpan(5, 1));
        await harness.AdvanceAsync(TimeSpan.FromSeconds(2.1));
        Assert.Single(harness.ExportedSpans);

        await harness.SendAsync(OtlpSamples.Span(5, 2, parent: 1));

        var late = harness.ExportedSpans.Single(s => s.SpanId == OtlpSamples.SpanId(2));
        Assert.Equal("keep-errors", late.Attributes.Single(a => a.Key == "sampling.policy").Value.StringValue);
        Assert.Equal(1, harness.Recorder.Sum("otelsampler.sampling.late_spans", "decision=kept"));
        Assert.Equal(0, harness.Pipeline.Shards.Budget.BufferedTraces);
    }

    [Fact]
    public async Task Late_span_of_a_dropped_trace_is_counted_and_not_exported()
    {
        await using var harness = SamplingHarness.Create(policies: KeepErrors);
        await harness.SendAsync(OtlpSamples.Span(5, 1));
        await harness.AdvanceAsync(TimeSpan.FromSeconds(2.1));
        Assert.Equal(1, harness.Recorder.Sum("otelsampler.sampling.traces_dropped", "policy=none"));

        await harness.SendAsync(SamplingHarness.ErrorSpan(5, 2, parent: 1));
        await harness.AdvanceAsync(TimeSpan.FromSeconds(31));

        Assert.Empty(harness.ExportedSpans);
        Assert.Equal(1, harness.Recorder.Sum("otelsampler.sampling.late_spans", "decision=dropped"));
        Assert.Equal(0, harness.Pipeline.Shards.Budget.BufferedTraces);
    }

    [Fact]
    public async Task Forgotten_decision_makes_a_late_span_a_new_trace_and_counts_a_miss()
    {
        // Each shard remembers its share of the cache: one decision here. Two traces of one shard, so the second's
        // decision pushes the first's out.
        await using var harness = SamplingHarness.Create(o => o with { DecisionCache = new() { KeptSize = 1, DroppedSize = 1 } }, KeepErrors);
        var other = Enumerable.Range(2, 1000).First(trace => harness.Pipeline.Router.ShardOf(TraceOf(trace)) == harness.Pipeline.Router.ShardOf(TraceOf(1)));
        await harness.SendAsync(SamplingHarness.ErrorSpan(1, 1), SamplingHarness.ErrorSpan(other, 1));
        await harness.AdvanceAsync(TimeSpan.FromSeconds(2.1));
        var missesBefore = harness.Recorder.Sum("otelsampler.sampling.decision_cache_misses");

        await harness.SendAsync(OtlpSamples.Span(1, 2, parent: 1));

        Assert.Equal(missesBefore + 1, harness.Recorder.Sum("otelsampler.sampling.decision_cache_misses"));
        Assert.Equal(1, harness.Pipeline.Shards.Budget.BufferedTraces);
    }

    private static TraceId TraceOf(int trace) => TraceId.FromBytes(OtlpSamples.TraceId(trace).Span);

    [Fact]
    public async Task Stopping_decides_every_buffered_trace()
    {
        var harness = SamplingHarness.Create(policies: KeepAll);
        await harness.SendAsync(OtlpSamples.Span(1, 1, parent: 9), OtlpSamples.Span(2, 1, parent: 9));

        await harness.DisposeAsync();

        Assert.Equal(2, harness.ExportedSpans.Count);
    }

    [Fact]
    public async Task Full_exporter_queue_holds_kept_traces_until_it_takes_them()
    {
        await using var harness = SamplingHarness.Create(policies: KeepAll);
        harness.Exporter.Full = true;
        await harness.SendAsync(OtlpSamples.Span(1, 1));
        await harness.AdvanceAsync(TimeSpan.FromSeconds(2.1));
        Assert.Empty(harness.ExportedSpans);

        harness.Exporter.Full = false;
        await harness.AdvanceAsync(TimeSpan.FromSeconds(0.1));

        Assert.Single(harness.ExportedSpans);
    }

    [Fact]
    public async Task Spans_of_one_request_go_to_their_own_traces_across_shards()
    {
        await using var harness = SamplingHarness.Create(policies: KeepAll);
        var spans = Enumerable.Range(1, 40).SelectMany(trace => new[] { OtlpSamples.Span(trace, 1), OtlpSamples.Span(trace, 2, parent: 1) }).ToArray();

        await harness.SendAsync(spans);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(2.1));

        Assert.Equal(40, harness.Exporter.Traces.Count);
        Assert.All(harness.Exporter.Traces, request =>
        {
            var traceSpans = request.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans).ToList();
            Assert.Equal(2, traceSpans.Count);
            Assert.Single(traceSpans.Select(s => s.TraceId).Distinct());
        });
        Assert.True(harness.Pipeline.Shards.Directory.Count > 1);
    }
}
