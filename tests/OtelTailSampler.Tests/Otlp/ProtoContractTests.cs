using Google.Protobuf.Reflection;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace OtelTailSampler.Tests.Otlp;

/// <summary>
/// Pins the OTLP wire contract: field numbers and types are what every other OTLP implementation reads, so a
/// typo in our hand-written .proto files would silently corrupt data. Values are from opentelemetry-proto.
/// </summary>
public sealed class ProtoContractTests
{
    [Theory]
    [InlineData("trace_id", 1, FieldType.Bytes)]
    [InlineData("span_id", 2, FieldType.Bytes)]
    [InlineData("trace_state", 3, FieldType.String)]
    [InlineData("parent_span_id", 4, FieldType.Bytes)]
    [InlineData("name", 5, FieldType.String)]
    [InlineData("kind", 6, FieldType.Enum)]
    [InlineData("start_time_unix_nano", 7, FieldType.Fixed64)]
    [InlineData("end_time_unix_nano", 8, FieldType.Fixed64)]
    [InlineData("attributes", 9, FieldType.Message)]
    [InlineData("events", 11, FieldType.Message)]
    [InlineData("links", 13, FieldType.Message)]
    [InlineData("status", 15, FieldType.Message)]
    [InlineData("flags", 16, FieldType.Fixed32)]
    public void Span_fields_match_the_wire_contract(string name, int number, FieldType type) =>
        AssertField(Span.Descriptor, name, number, type);

    [Theory]
    [InlineData("trace_id", 1, FieldType.Bytes)]
    [InlineData("span_id", 2, FieldType.Bytes)]
    [InlineData("flags", 6, FieldType.Fixed32)]
    public void Span_link_fields_match_the_wire_contract(string name, int number, FieldType type) =>
        AssertField(Span.Types.Link.Descriptor, name, number, type);

    [Fact]
    public void Status_code_and_message_match_the_wire_contract()
    {
        AssertField(Status.Descriptor, "message", 2, FieldType.String);
        AssertField(Status.Descriptor, "code", 3, FieldType.Enum);
        Assert.Equal(2, (int)Status.Types.StatusCode.Error);
        Assert.Equal(2, (int)Span.Types.SpanKind.Server);
        Assert.Equal(5, (int)Span.Types.SpanKind.Consumer);
    }

    [Theory]
    [InlineData("time_unix_nano", 1, FieldType.Fixed64)]
    [InlineData("severity_number", 2, FieldType.Enum)]
    [InlineData("body", 5, FieldType.Message)]
    [InlineData("flags", 8, FieldType.Fixed32)]
    [InlineData("trace_id", 9, FieldType.Bytes)]
    [InlineData("span_id", 10, FieldType.Bytes)]
    [InlineData("observed_time_unix_nano", 11, FieldType.Fixed64)]
    [InlineData("event_name", 12, FieldType.String)]
    public void Log_record_fields_match_the_wire_contract(string name, int number, FieldType type) =>
        AssertField(LogRecord.Descriptor, name, number, type);

    [Theory]
    [InlineData("gauge", 5)]
    [InlineData("sum", 7)]
    [InlineData("histogram", 9)]
    [InlineData("exponential_histogram", 10)]
    [InlineData("summary", 11)]
    public void Metric_data_oneof_numbers_match_the_wire_contract(string name, int number)
    {
        AssertField(Metric.Descriptor, name, number, FieldType.Message);
        Assert.Equal("data", Metric.Descriptor.FindFieldByName(name).RealContainingOneof?.Name);
    }

    [Theory]
    [InlineData("time_unix_nano", 2, FieldType.Fixed64)]
    [InlineData("as_double", 3, FieldType.Double)]
    [InlineData("span_id", 4, FieldType.Bytes)]
    [InlineData("trace_id", 5, FieldType.Bytes)]
    [InlineData("as_int", 6, FieldType.SFixed64)]
    [InlineData("filtered_attributes", 7, FieldType.Message)]
    public void Exemplar_fields_match_the_wire_contract(string name, int number, FieldType type) =>
        AssertField(Exemplar.Descriptor, name, number, type);

    [Fact]
    public void Exponential_histogram_buckets_use_zigzag_and_varint_encodings()
    {
        AssertField(ExponentialHistogramDataPoint.Descriptor, "scale", 6, FieldType.SInt32);
        AssertField(ExponentialHistogramDataPoint.Types.Buckets.Descriptor, "offset", 1, FieldType.SInt32);
        AssertField(ExponentialHistogramDataPoint.Types.Buckets.Descriptor, "bucket_counts", 2, FieldType.UInt64);
        AssertField(HistogramDataPoint.Descriptor, "bucket_counts", 6, FieldType.Fixed64);
    }

    [Fact]
    public void Any_value_oneof_numbers_match_the_wire_contract()
    {
        AssertField(AnyValue.Descriptor, "string_value", 1, FieldType.String);
        AssertField(AnyValue.Descriptor, "int_value", 3, FieldType.Int64);
        AssertField(AnyValue.Descriptor, "kvlist_value", 6, FieldType.Message);
        AssertField(AnyValue.Descriptor, "bytes_value", 7, FieldType.Bytes);
    }

    [Fact]
    public void Partial_success_fields_match_the_wire_contract()
    {
        AssertField(ExportTraceServiceResponse.Descriptor, "partial_success", 1, FieldType.Message);
        AssertField(ExportTracePartialSuccess.Descriptor, "rejected_spans", 1, FieldType.Int64);
        AssertField(ExportTracePartialSuccess.Descriptor, "error_message", 2, FieldType.String);
        AssertField(ExportMetricsServiceResponse.Descriptor, "partial_success", 1, FieldType.Message);
        AssertField(ExportMetricsPartialSuccess.Descriptor, "rejected_data_points", 1, FieldType.Int64);
        AssertField(ExportMetricsPartialSuccess.Descriptor, "error_message", 2, FieldType.String);
        AssertField(ExportLogsServiceResponse.Descriptor, "partial_success", 1, FieldType.Message);
        AssertField(ExportLogsPartialSuccess.Descriptor, "rejected_log_records", 1, FieldType.Int64);
        AssertField(ExportLogsPartialSuccess.Descriptor, "error_message", 2, FieldType.String);
    }

    [Fact]
    public void Export_requests_carry_a_single_repeated_field_number_one()
    {
        // The exporters batch by concatenating serialized requests, which is only valid while this holds.
        foreach (var descriptor in new[]
                 {
                     ExportTraceServiceRequest.Descriptor,
                     ExportMetricsServiceRequest.Descriptor,
                     ExportLogsServiceRequest.Descriptor,
                 })
        {
            var field = Assert.Single(descriptor.Fields.InFieldNumberOrder());
            Assert.Equal(1, field.FieldNumber);
            Assert.True(field.IsRepeated);
        }
    }

    private static void AssertField(MessageDescriptor message, string name, int number, FieldType type)
    {
        var field = message.FindFieldByName(name);
        Assert.True(field is not null, $"{message.FullName} has no field {name}");
        Assert.Equal(number, field.FieldNumber);
        Assert.Equal(type, field.FieldType);
    }
}
