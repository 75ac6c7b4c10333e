using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Otlp.Json;
using OtelTailSampler.Tests.Support;
using Status = OpenTelemetry.Proto.Trace.V1.Status;

namespace OtelTailSampler.Tests.Otlp.Json;

public sealed class OtlpJsonTests
{
    private const string TraceIdHex = "5b8efff798038103d269b633813fc60c";
    private const string SpanIdHex = "eee19b7ec3c1b174";
    private const string ParentIdHex = "eee19b7ec3c1b173";

    [Fact]
    public void Traces_round_trip()
    {
        var request = RichOtlpSamples.RichTraces();

        var parsed = RoundTrip(request);

        Assert.Equal(request, parsed);
    }

    [Fact]
    public void Metrics_round_trip()
    {
        var request = RichOtlpSamples.RichMetrics();

        var parsed = RoundTrip(request);

        Assert.Equal(request, parsed);
    }

    [Fact]
    public void Logs_round_trip()
    {
        var request = RichOtlpSamples.RichLogs();

        var parsed = RoundTrip(request);

        Assert.Equal(request, parsed);
    }

    [Fact]
    public void Unset_optional_histogram_fields_stay_unset()
    {
        var point = new HistogramDataPoint { Count = 3 };
        var request = MetricsWith(new Metric { Name = "h", Histogram = new Histogram { DataPoints = { point } } });

        var parsed = RoundTrip(request);

        var parsedPoint = parsed.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Histogram.DataPoints[0];
        Assert.False(parsedPoint.HasSum);
        Assert.False(parsedPoint.HasMin);
        Assert.False(parsedPoint.HasMax);
        Assert.Equal(3UL, parsedPoint.Count);
    }

    [Fact]
    public void Format_writes_hex_ids_integer_enums_string_int64s_and_camel_case_keys()
    {
        var json = OtlpJson.Format(RichOtlpSamples.RichTraces());

        using var document = JsonDocument.Parse(json);
        var span = document.RootElement.GetProperty("resourceSpans")[0].GetProperty("scopeSpans")[0]
            .GetProperty("spans")[0];
        Assert.Equal(TraceIdHex, span.GetProperty("traceId").GetString());
        Assert.Equal(SpanIdHex, span.GetProperty("spanId").GetString());
        Assert.Equal(ParentIdHex, span.GetProperty("parentSpanId").GetString());
        Assert.Equal(JsonValueKind.Number, span.GetProperty("kind").ValueKind);
        Assert.Equal(2, span.GetProperty("kind").GetInt32());
        Assert.Equal("1544712660000000000", span.GetProperty("startTimeUnixNano").GetString());
        Assert.Equal(2, span.GetProperty("status").GetProperty("code").GetInt32());
        var link = span.GetProperty("links")[0];
        Assert.Equal(RichOtlpSamples.LinkTraceIdHex, link.GetProperty("traceId").GetString());
        Assert.DoesNotContain("_", string.Concat(PropertyNames(document.RootElement)));
    }

    [Fact]
    public void Format_writes_log_and_exemplar_ids_as_hex()
    {
        var logs = JsonDocument.Parse(OtlpJson.Format(RichOtlpSamples.RichLogs()));
        var record = logs.RootElement.GetProperty("resourceLogs")[0].GetProperty("scopeLogs")[0]
            .GetProperty("logRecords")[0];
        Assert.Equal(TraceIdHex, record.GetProperty("traceId").GetString());
        Assert.Equal(SpanIdHex, record.GetProperty("spanId").GetString());

        var metrics = JsonDocument.Parse(OtlpJson.Format(RichOtlpSamples.RichMetrics()));
        var exemplar = metrics.RootElement.GetProperty("resourceMetrics")[0].GetProperty("scopeMetrics")[0]
            .GetProperty("metrics")[0].GetProperty("gauge").GetProperty("dataPoints")[0]
            .GetProperty("exemplars")[0];
        Assert.Equal(TraceIdHex, exemplar.GetProperty("traceId").GetString());
        Assert.Equal(SpanIdHex, exemplar.GetProperty("spanId").GetString());
    }

    [Fact]
    public void Format_keeps_a_oneof_member_set_to_its_default()
    {
        var value = new AnyValue { IntValue = 0 };

        var json = OtlpJson.Format(value);

        Assert.Equal("""{"intValue":"0"}""", json);
        Assert.Equal(AnyValue.ValueOneofCase.IntValue, Parse<AnyValue>(json).ValueCase);
    }

    [Fact]
    public void Spec_style_sample_parses_to_the_expected_values()
    {
        // Shaped like the OTLP/JSON example in opentelemetry-proto: uppercase hex ids, integer kind, and
        // 64-bit timestamps as strings.
        const string json = """
            {
              "resourceSpans": [
                {
                  "resource": {
                    "attributes": [ { "key": "service.name", "value": { "stringValue": "my.service" } } ]
                  },
                  "scopeSpans": [
                    {
                      "scope": { "name": "my.library", "version": "1.0.0" },
                      "spans": [
                        {
                          "traceId": "5B8EFFF798038103D269B633813FC60C",
                          "spanId": "EEE19B7EC3C1B174",
                          "parentSpanId": "EEE19B7EC3C1B173",
                          "name": "I'm a server span",
                          "startTimeUnixNano": "1544712660000000000",
                          "endTimeUnixNano": "1544712661000000000",
                          "kind": 2,
                          "attributes": [
                            { "key": "my.span.attr", "value": { "stringValue": "some value" } },
                            { "key": "retries", "value": { "intValue": "3" } }
                          ],
                          "status": { "code": 1 }
                        }
                      ]
                    }
                  ]
                }
              ]
            }
            """;

        var request = Parse<ExportTraceServiceRequest>(json);

        var resourceSpans = Assert.Single(request.ResourceSpans);
        Assert.Equal("service.name", resourceSpans.Resource.Attributes[0].Key);
        Assert.Equal("my.service", resourceSpans.Resource.Attributes[0].Value.StringValue);
        var scope = Assert.Single(resourceSpans.ScopeSpans);
        Assert.Equal("my.library", scope.Scope.Name);
        Assert.Equal("1.0.0", scope.Scope.Version);
        var span = Assert.Single(scope.Spans);
        Assert.Equal(Convert.FromHexString(TraceIdHex), span.TraceId.ToByteArray());
        Assert.Equal(Convert.FromHexString(SpanIdHex), span.SpanId.ToByteArray());
        Assert.Equal(Convert.FromHexString(ParentIdHex), span.ParentSpanId.ToByteArray());
        Assert.Equal("I'm a server span", span.Name);
        Assert.Equal(1544712660000000000UL, span.StartTimeUnixNano);
        Assert.Equal(1544712661000000000UL, span.EndTimeUnixNano);
        Assert.Equal(Span.Types.SpanKind.Server, span.Kind);
        Assert.Equal(3L, span.Attributes[1].Value.IntValue);
        Assert.Equal(Status.Types.StatusCode.Ok, span.Status.Code);
    }

    [Fact]
    public void Ids_in_any_case_parse_in_every_message_that_has_them()
    {
        const string traces = """
            {"resourceSpans":[{"scopeSpans":[{"spans":[{
              "traceId":"5B8EFFF798038103d269b633813FC60C","spanId":"EEE19b7ec3c1b174",
              "links":[{"traceId":"ABCDEF0123456789ABCDEF0123456789","spanId":"ABCDEF0123456789"}]}]}]}]}
            """;
        const string logs = """
            {"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174"}]}]}]}
            """;
        const string metrics = """
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"exemplars":[
              {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174"}]}]}}]}]}]}
            """;

        var span = Parse<ExportTraceServiceRequest>(traces).ResourceSpans[0].ScopeSpans[0].Spans[0];
        var record = Parse<ExportLogsServiceRequest>(logs).ResourceLogs[0].ScopeLogs[0].LogRecords[0];
        var exemplar = Parse<ExportMetricsServiceRequest>(metrics).ResourceMetrics[0].ScopeMetrics[0].Metrics[0]
            .Gauge.DataPoints[0].Exemplars[0];

        var traceId = Convert.FromHexString(TraceIdHex);
        var spanId = Convert.FromHexString(SpanIdHex);
        Assert.Equal(traceId, span.TraceId.ToByteArray());
        Assert.Equal(spanId, span.SpanId.ToByteArray());
        Assert.Equal(Convert.FromHexString("abcdef0123456789abcdef0123456789"), span.Links[0].TraceId.ToByteArray());
        Assert.Equal(Convert.FromHexString("abcdef0123456789"), span.Links[0].SpanId.ToByteArray());
        Assert.Equal(traceId, record.TraceId.ToByteArray());
        Assert.Equal(spanId, record.SpanId.ToByteArray());
        Assert.Equal(traceId, exemplar.TraceId.ToByteArray());
        Assert.Equal(spanId, exemplar.SpanId.ToByteArray());
    }

    [Fact]
    public void Snake_case_keys_parse()
    {
        const string json = """
            {"resource_spans":[{"schema_url":"https://example.com/s","scope_spans":[{"spans":[{
              "trace_id":"5b8efff798038103d269b633813fc60c","parent_span_id":"eee19b7ec3c1b173",
              "start_time_unix_nano":"7","dropped_attributes_count":3,"trace_state":"a=b"}]}]}]}
            """;

        var request = Parse<ExportTraceServiceRequest>(json);

        Assert.Equal("https://example.com/s", request.ResourceSpans[0].SchemaUrl);
        var span = request.ResourceSpans[0].ScopeSpans[0].Spans[0];
        Assert.Equal(Convert.FromHexString(TraceIdHex), span.TraceId.ToByteArray());
        Assert.Equal(Convert.FromHexString(ParentIdHex), span.ParentSpanId.ToByteArray());
        Assert.Equal(7UL, span.StartTimeUnixNano);
        Assert.Equal(3U, span.DroppedAttributesCount);
        Assert.Equal("a=b", span.TraceState);
    }

    [Fact]
    public void Unknown_fields_are_ignored_at_every_level()
    {
        const string json = """
            {"futureTopLevel":{"nested":[1,{"x":null}]},
             "resourceLogs":[{"newThing":[true,false],"scopeLogs":[{"logRecords":[{
               "severityText":"WARN","unknownNumber":1e400,"unknownString":"zz","body":{"stringValue":"hi","extra":{}}}]}]}],
             "trailingUnknown":"x"}
            """;

        var request = Parse<ExportLogsServiceRequest>(json);

        var record = request.ResourceLogs[0].ScopeLogs[0].LogRecords[0];
        Assert.Equal("WARN", record.SeverityText);
        Assert.Equal("hi", record.Body.StringValue);
    }

    [Fact]
    public void Integers_are_accepted_as_numbers_or_strings()
    {
        const string json = """
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"sum":{"aggregationTemporality":"2","isMonotonic":true,
              "dataPoints":[{"timeUnixNano":1544712660000000000,"asInt":"-42","flags":"1"}]}}]}]}]}
            """;

        var metric = Parse<ExportMetricsServiceRequest>(json).ResourceMetrics[0].ScopeMetrics[0].Metrics[0];

        var point = metric.Sum.DataPoints[0];
        Assert.Equal(1544712660000000000UL, point.TimeUnixNano);
        Assert.Equal(-42L, point.AsInt);
        Assert.Equal(1U, point.Flags);
        Assert.True(metric.Sum.IsMonotonic);
    }

    [Fact]
    public void Enum_names_are_accepted_on_input()
    {
        const string json = """
            {"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_CLIENT","status":{"code":"STATUS_CODE_ERROR"}}]}]}]}
            """;

        var span = Parse<ExportTraceServiceRequest>(json).ResourceSpans[0].ScopeSpans[0].Spans[0];

        Assert.Equal(Span.Types.SpanKind.Client, span.Kind);
        Assert.Equal(Status.Types.StatusCode.Error, span.Status.Code);
    }

    [Fact]
    public void Empty_id_strings_mean_absent_ids()
    {
        const string json = """{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"","parentSpanId":""}]}]}]}""";

        var span = Parse<ExportTraceServiceRequest>(json).ResourceSpans[0].ScopeSpans[0].Spans[0];

        Assert.True(span.TraceId.IsEmpty);
        Assert.True(span.ParentSpanId.IsEmpty);
    }

    [Fact]
    public void Ids_of_the_wrong_length_parse_to_bytes_of_that_length()
    {
        const string json = """{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"abcd","spanId":"00112233445566778899"}]}]}]}""";

        var span = Parse<ExportTraceServiceRequest>(json).ResourceSpans[0].ScopeSpans[0].Spans[0];

        Assert.Equal(new byte[] { 0xab, 0xcd }, span.TraceId.ToByteArray());
        Assert.Equal(10, span.SpanId.Length);
    }

    [Fact]
    public void Nulls_mean_default_values()
    {
        const string json = """{"resourceSpans":[{"resource":null,"scopeSpans":[{"spans":[{"name":null,"status":null,"kind":null}]}]}]}""";

        var request = Parse<ExportTraceServiceRequest>(json);

        Assert.Null(request.ResourceSpans[0].Resource);
        var span = request.ResourceSpans[0].ScopeSpans[0].Spans[0];
        Assert.Equal(string.Empty, span.Name);
        Assert.Null(span.Status);
    }

    [Fact]
    public void Base64_bytes_values_accept_the_url_safe_alphabet_without_padding()
    {
        var value = Parse<AnyValue>("""{"bytesValue":"-_8"}""");

        Assert.Equal(new byte[] { 0xfb, 0xff }, value.BytesValue.ToByteArray());
    }

    [Theory]
    [InlineData("zz8efff798038103d269b633813fc60c")]
    [InlineData("5b8efff798038103d269b633813fc60")]
    [InlineData("0x5b8efff798038103d269b633813fc6")]
    [InlineData("W46/95gDgQPSabYzgT/GDA==")]
    public void Non_hex_ids_throw(string traceId)
    {
        var json = $$"""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"{{traceId}}"}]}]}]}""";

        var error = Assert.Throws<OtlpJsonException>(() => Parse<ExportTraceServiceRequest>(json));

        Assert.Contains("opentelemetry.proto.trace.v1.Span.trace_id", error.Message, StringComparison.Ordinal);
        Assert.Contains("hex", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{} {}")]
    [InlineData("""{"resourceSpans":{}}""")]
    [InlineData("""{"resourceSpans":[null]}""")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]}""")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"soon"}]}]}]}""")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":-1}]}]}]}""")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"droppedLinksCount":1.5}]}]}]}""")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":12}]}]}]}""")]
    [InlineData("""{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":"a","intValue":"1"}}]}}]}""")]
    [InlineData("""{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"bytesValue":"not base64!"}}]}}]}""")]
    [InlineData("""{"resourceSpans":[{'scopeSpans':[]}]}""")]
    public void Invalid_json_throws(string json)
    {
        var error = Assert.Throws<OtlpJsonException>(() => Parse<ExportTraceServiceRequest>(json));

        Assert.StartsWith("Invalid OTLP JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rpc_status_with_retry_info_details_round_trips()
    {
        var status = new Google.Rpc.Status
        {
            Code = 14,
            Message = "unavailable",
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(3)) }) },
        };

        var json = OtlpJson.Format(status);

        Assert.Contains("\"retryDelay\":\"3s\"", json, StringComparison.Ordinal);
        Assert.Equal(status, Parse<Google.Rpc.Status>(json));
    }

    [Fact]
    public void Format_to_a_writer_matches_format_to_a_string()
    {
        var request = RichOtlpSamples.RichLogs();
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, OtlpJson.DefaultWriterOptions))
        {
            OtlpJson.Format(request, writer);
        }

        Assert.Equal(OtlpJson.Format(request), Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static T RoundTrip<T>(T message)
        where T : IMessage<T>, new() =>
        Parse<T>(OtlpJson.Format(message));

    private static T Parse<T>(string json)
        where T : IMessage<T>, new() =>
        OtlpJson.Parse<T>(Encoding.UTF8.GetBytes(json));

    private static ExportMetricsServiceRequest MetricsWith(Metric metric) => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics { Resource = new Resource(), ScopeMetrics = { new ScopeMetrics { Metrics = { metric } } } },
        },
    };

    private static IEnumerable<string> PropertyNames(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                yield return property.Name;
                foreach (var name in PropertyNames(property.Value))
                {
                    yield return name;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var name in PropertyNames(item))
                {
                    yield return name;
                }
            }
        }
    }
}
