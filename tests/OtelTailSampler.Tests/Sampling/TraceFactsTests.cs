using System.Runtime.CompilerServices;
using Google.Protobuf;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Sampling;
using static OtelTailSampler.Tests.Sampling.PolicyTestKit;

namespace OtelTailSampler.Tests.Sampling;

public sealed class TraceFactsTests
{
    private static readonly PolicySet AlwaysKeep = Set("{ name = all, type = always-sample }");

    [Fact]
    public void Observing_a_span_returns_its_info_read_from_the_wire()
    {
        var span = Span(durationMillis: 250, status: Status.Types.StatusCode.Error, flags: 0x301);
        var facts = default(TraceFacts);

        var info = AlwaysKeep.ObserveSpan(span.ToByteArray(), ref facts);

        Assert.Equal(Start, info.StartUnixNano);
        Assert.Equal(Start + 250_000_000, info.EndUnixNano);
        Assert.False(info.IsRoot);
        Assert.Equal(SpanStatusCode.Error, info.StatusCode);
        Assert.Equal(SpanKind.Server, info.Kind);
        Assert.Equal(0x301u, info.Flags);
    }

    [Fact]
    public void Facts_accumulate_count_bytes_time_range_status_root_and_flags()
    {
        var child = Span(durationMillis: 100, startOffsetMillis: 50, status: Status.Types.StatusCode.Ok);
        var root = Span(durationMillis: 120, root: true, flags: 1);
        var facts = default(TraceFacts);

        AlwaysKeep.ObserveSpan(child.ToByteArray(), ref facts);
        AlwaysKeep.ObserveSpan(root.ToByteArray(), ref facts);

        Assert.Equal(2, facts.SpanCount);
        Assert.Equal(child.CalculateSize() + root.CalculateSize(), facts.Bytes);
        Assert.Equal(Start, facts.MinStartUnixNano);
        Assert.Equal(Start + 150_000_000, facts.MaxEndUnixNano);
        Assert.Equal(150_000_000UL, facts.DurationNanos);
        Assert.Equal(StatusCodesSeen.Ok | StatusCodesSeen.Unset, facts.StatusCodes);
        Assert.True(facts.RootSeen);
        Assert.True(facts.SampledFlagSeen);
    }

    [Fact]
    public void All_zero_parent_span_id_counts_as_a_root()
    {
        var span = Span();
        span.ParentSpanId = ByteString.CopyFrom(new byte[8]);
        var facts = default(TraceFacts);

        var info = AlwaysKeep.ObserveSpan(span.ToByteArray(), ref facts);

        Assert.True(info.IsRoot);
        Assert.True(facts.RootSeen);
    }

    [Fact]
    public void Zero_timestamps_do_not_stretch_the_trace()
    {
        var timed = Span(durationMillis: 40);
        var untimed = Span();
        untimed.StartTimeUnixNano = 0;
        untimed.EndTimeUnixNano = 0;

        var facts = Observe(AlwaysKeep, timed, untimed);

        Assert.Equal(40_000_000UL, facts.DurationNanos);
    }

    [Fact]
    public void Empty_span_message_counts_as_an_unset_root_without_times()
    {
        var facts = default(TraceFacts);

        var info = AlwaysKeep.ObserveSpan([], ref facts);

        Assert.True(info.IsRoot);
        Assert.Equal(1, facts.SpanCount);
        Assert.Equal(StatusCodesSeen.Unset, facts.StatusCodes);
        Assert.Equal(0UL, facts.DurationNanos);
    }

    [Fact]
    public void Empty_trace_has_no_facts()
    {
        var facts = default(TraceFacts);

        Assert.Equal(0, facts.SpanCount);
        Assert.Equal(StatusCodesSeen.None, facts.StatusCodes);
        Assert.Equal(0UL, facts.DurationNanos);
        Assert.False(facts.RootSeen);
    }

    [Fact]
    public void Trace_facts_fit_in_64_bytes()
    {
        Assert.True(Unsafe.SizeOf<TraceFacts>() <= 64, $"TraceFacts is {Unsafe.SizeOf<TraceFacts>()} bytes");
    }

    [Fact]
    public void Malformed_span_bytes_throw_a_wire_exception()
    {
        var facts = default(TraceFacts);

        Assert.Throws<OtelTailSampler.Otlp.Wire.ProtoWireException>(() => AlwaysKeep.ObserveSpan([0x0A, 0x05, 0x01], ref facts));
    }
}
