using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Wire;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Otlp.Wire;

public sealed class OtlpRequestValidatorTests
{
    [Fact]
    public void Valid_request_passes_on_its_own_bytes()
    {
        var bytes = OtlpSamples.Traces(OtlpSamples.Span(1, 1), OtlpSamples.Span(1, 2, parent: 1)).ToByteArray();

        var result = OtlpRequestValidator.Validate(OtlpSignal.Traces, bytes);

        Assert.Equal(2, result.AcceptedItems);
        Assert.Equal(0, result.RejectedItems);
        Assert.Null(result.RejectionMessage);
        Assert.True(result.Request.Span.SequenceEqual(bytes));
    }

    [Fact]
    public void Span_with_short_trace_id_is_rejected_alone_and_the_rest_keeps_its_fields()
    {
        var bad = OtlpSamples.Span(2, 2);
        bad.TraceId = ByteString.CopyFrom(new byte[15]);
        var original = OtlpSamples.Traces(OtlpSamples.Span(1, 1), bad, OtlpSamples.Span(3, 3));

        var result = OtlpRequestValidator.Validate(OtlpSignal.Traces, original.ToByteArray());

        Assert.Equal(2, result.AcceptedItems);
        Assert.Equal(1, result.RejectedItems);
        Assert.Contains("trace_id is 15 bytes", result.RejectionMessage, StringComparison.Ordinal);
        Assert.Contains("span 1 of scope 0 of resource 0", result.RejectionMessage, StringComparison.Ordinal);
        var kept = ExportTraceServiceRequest.Parser.ParseFrom(result.Request.Span);
        var expected = original.Clone();
        expected.ResourceSpans[0].ScopeSpans[0].Spans.RemoveAt(1);
        Assert.Equal(expected, kept);
    }

    [Theory]
    [InlineData(16, 7, 0, "span_id is 7 bytes")]
    [InlineData(16, 8, 3, "parent_span_id is 3 bytes")]
    [InlineData(17, 8, 0, "trace_id is 17 bytes")]
    [InlineData(0, 8, 0, "trace_id is 0 bytes")]
    public void Wrong_id_lengths_are_named(int traceIdLength, int spanIdLength, int parentLength, string expected)
    {
        var span = OtlpSamples.Span(1, 1);
        span.TraceId = ByteString.CopyFrom(Enumerable.Repeat((byte)1, traceIdLength).ToArray());
        span.SpanId = ByteString.CopyFrom(Enumerable.Repeat((byte)1, spanIdLength).ToArray());
        span.ParentSpanId = ByteString.CopyFrom(Enumerable.Repeat((byte)1, parentLength).ToArray());

        var result = OtlpRequestValidator.Validate(OtlpSignal.Traces, OtlpSamples.Traces(span).ToByteArray());

        Assert.Equal(0, result.AcceptedItems);
        Assert.Equal(1, result.RejectedItems);
        Assert.Contains(expected, result.RejectionMessage, StringComparison.Ordinal);
        Assert.Empty(ExportTraceServiceRequest.Parser.ParseFrom(result.Request.Span).ResourceSpans);
    }

    [Fact]
    public void All_zero_trace_id_is_invalid()
    {
        var span = OtlpSamples.Span(1, 1);
        span.TraceId = ByteString.CopyFrom(new byte[16]);

        var result = OtlpRequestValidator.Validate(OtlpSignal.Traces, OtlpSamples.Traces(span).ToByteArray());

        Assert.Equal(1, result.RejectedItems);
        Assert.Contains("all zeroes", result.RejectionMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_records_need_no_ids_but_present_ids_must_be_whole()
    {
        var bad = OtlpSamples.Log("bad", trace: 1, span: 1);
        bad.SpanId = ByteString.CopyFrom(new byte[4]);
        var request = OtlpSamples.Logs(OtlpSamples.Log("no context"), OtlpSamples.Log("in a trace", 1, 1), bad);

        var result = OtlpRequestValidator.Validate(OtlpSignal.Logs, request.ToByteArray());

        Assert.Equal(2, result.AcceptedItems);
        Assert.Equal(1, result.RejectedItems);
        Assert.Contains("log record 2", result.RejectionMessage, StringComparison.Ordinal);
        var kept = ExportLogsServiceRequest.Parser.ParseFrom(result.Request.Span);
        Assert.Equal(["no context", "in a trace"], kept.ResourceLogs[0].ScopeLogs[0].LogRecords.Select(r => r.Body.StringValue));
    }

    [Fact]
    public void Metric_items_are_counted_as_data_points()
    {
        var result = OtlpRequestValidator.Validate(OtlpSignal.Metrics, OtlpSamples.Metrics().ToByteArray());

        Assert.Equal(5, result.AcceptedItems);
        Assert.Equal(0, result.RejectedItems);
    }

    [Fact]
    public void Truncated_request_is_malformed()
    {
        var bytes = OtlpSamples.Traces(OtlpSamples.Span(1, 1)).ToByteArray();

        Assert.Throws<ProtoWireException>(() => OtlpRequestValidator.Validate(OtlpSignal.Traces, bytes.AsMemory(0, bytes.Length - 3)));
    }

    [Fact]
    public void Garbage_nested_deep_inside_a_span_is_malformed()
    {
        // A KeyValue (field 9 of Span) whose payload claims a 100-byte string inside 3 bytes.
        byte[] badAttribute = [0x4A, 0x03, 0x0A, 0x64, 0x61];
        var span = OtlpSamples.Span(1, 1).ToByteArray().Concat(badAttribute).ToArray();
        var request = new byte[] { 0x0A }.Concat(Varint(span.Length + 2 + 2)).Concat(new byte[] { 0x12 }).Concat(Varint(span.Length + 2))
            .Concat(new byte[] { 0x12 }).Concat(Varint(span.Length)).Concat(span).ToArray();

        var error = Assert.Throws<ProtoWireException>(() => OtlpRequestValidator.Validate(OtlpSignal.Traces, request));
        Assert.Contains("runs past the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_are_kept_byte_for_byte()
    {
        // Field 99 (varint) on the request: a newer OTLP version's field must pass through.
        var bytes = OtlpSamples.Traces(OtlpSamples.Span(1, 1)).ToByteArray().Concat(new byte[] { 0x98, 0x06, 0x2A }).ToArray();

        var result = OtlpRequestValidator.Validate(OtlpSignal.Traces, bytes);

        Assert.Equal(1, result.AcceptedItems);
        Assert.True(result.Request.Span.SequenceEqual(bytes));
    }

    [Fact]
    public void Empty_request_is_valid_and_empty()
    {
        var result = OtlpRequestValidator.Validate(OtlpSignal.Logs, ReadOnlyMemory<byte>.Empty);

        Assert.Equal(0, result.AcceptedItems);
        Assert.Equal(0, result.RejectedItems);
    }

    private static byte[] Varint(int value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }
}
