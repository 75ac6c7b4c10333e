using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.LoadGen;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.Tests.LoadGen;

/// <summary>The traffic model: reproducible from its seed, valid OTLP, and shaped as configured.</summary>
public sealed class TrafficGeneratorTests
{
    private static readonly TrafficOptions Small = new() { SpansPerRequest = 200, MetricSeries = 30, MetricsEveryBatches = 3 };

    private static List<byte[]> Bodies(long seed, TrafficOptions options, IEnumerable<long> batches)
    {
        using var generator = new TrafficGenerator(new TrafficModel(seed, options));
        var bodies = new List<byte[]>();
        foreach (var index in batches)
        {
            using var batch = generator.Generate(index);
            bodies.AddRange(batch.Requests.Select(r => r.Body.ToArray()));
        }

        return bodies;
    }

    private static List<ExportTraceServiceRequest> TraceRequests(long seed, TrafficOptions options, int batches)
    {
        using var generator = new TrafficGenerator(new TrafficModel(seed, options));
        var requests = new List<ExportTraceServiceRequest>();
        for (var i = 0; i < batches; i++)
        {
            using var batch = generator.Generate(i);
            requests.Add(ExportTraceServiceRequest.Parser.ParseFrom(batch.Requests[0].Body.Span));
        }

        return requests;
    }

    private static IEnumerable<IGrouping<ByteString, Span>> Traces(ExportTraceServiceRequest request) =>
        request.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans).GroupBy(s => s.TraceId);

    [Fact]
    public void Same_seed_gives_byte_identical_traffic_in_any_order()
    {
        var first = Bodies(7, Small, Enumerable.Range(0, 12).Select(i => (long)i));
        var second = Bodies(7, Small, Enumerable.Range(0, 12).Select(i => (long)i));
        var reversed = Bodies(7, Small, Enumerable.Range(0, 12).Select(i => (long)(11 - i)));

        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i], second[i]);
        }

        Assert.Equal(first.Select(Convert.ToHexString).Order(), reversed.Select(Convert.ToHexString).Order());
    }

    [Fact]
    public void Different_seeds_give_different_traffic()
    {
        var one = Bodies(1, Small, [0, 1, 2]);
        var two = Bodies(2, Small, [0, 1, 2]);

        Assert.NotEqual(one[0], two[0]);
        Assert.Empty(one.Select(Convert.ToHexString).Intersect(two.Select(Convert.ToHexString)));
    }

    [Fact]
    public void Every_request_is_valid_otlp_with_the_counted_items()
    {
        using var generator = new TrafficGenerator(new TrafficModel(3, Small));
        for (var i = 0; i < 7; i++)
        {
            using var batch = generator.Generate(i);
            foreach (var request in batch.Requests)
            {
                var validation = OtlpRequestValidator.Validate(request.Signal, request.Body);
                Assert.Equal(0, validation.RejectedItems);
                Assert.Equal(request.Items, validation.AcceptedItems);
            }

            Assert.Equal(batch.Spans, ExportTraceServiceRequest.Parser.ParseFrom(batch.Requests[0].Body.Span)
                .ResourceSpans.Sum(r => r.ScopeSpans.Sum(s => s.Spans.Count)));
            Assert.True(batch.Spans >= Small.SpansPerRequest);
            Assert.Equal(i % 3 == 0 ? Small.MetricSeries : 0, batch.DataPoints);
        }
    }

    [Fact]
    public void Spans_of_each_trace_share_one_trace_id_and_form_a_tree_within_the_root()
    {
        var options = Small with { MaxDepth = 5, MaxFanOut = 3, MaxSpansPerTrace = 25 };
        var traces = 0;
        foreach (var request in TraceRequests(11, options, 20))
        {
            foreach (var trace in Traces(request))
            {
                traces++;
                var spans = trace.ToList();
                Assert.All(spans, s => Assert.Equal(16, s.TraceId.Length));
                var byId = spans.ToDictionary(s => s.SpanId);
                var root = Assert.Single(spans, s => s.ParentSpanId.IsEmpty);
                Assert.Equal(Span.Types.SpanKind.Server, root.Kind);
                Assert.True(spans.Count <= options.MaxSpansPerTrace);
                foreach (var span in spans)
                {
                    // Walking up reaches the root within the allowed depth, and every child sits inside its parent.
                    var depth = 1;
                    for (var current = span; !current.ParentSpanId.IsEmpty; depth++)
                    {
                        var parent = byId[current.ParentSpanId];
                        Assert.InRange(current.StartTimeUnixNano, parent.StartTimeUnixNano, parent.EndTimeUnixNano);
                        Assert.InRange(current.EndTimeUnixNano, current.StartTimeUnixNano, parent.EndTimeUnixNano);
                        current = parent;
                        Assert.True(depth <= options.MaxDepth, "deeper than max-depth, or a cycle");
                    }

                    Assert.True(spans.Count(s => s.ParentSpanId == span.SpanId) <= options.MaxFanOut);
                }
            }
        }

        Assert.True(traces > 100);
    }

    [Fact]
    public void Error_and_slow_shares_stay_within_bounds()
    {
        var options = new TrafficOptions { ErrorShare = 0.1, SlowShare = 0.2, SlowThreshold = TimeSpan.FromMilliseconds(800), MetricSeries = 0, LogsPerSpan = 0 };
        var threshold = (ulong)options.SlowThreshold.Ticks * 100;
        int traces = 0, errors = 0, slow = 0;
        foreach (var request in TraceRequests(5, options, 150))
        {
            foreach (var trace in Traces(request))
            {
                traces++;
                var spans = trace.ToList();
                var root = spans.Single(s => s.ParentSpanId.IsEmpty);
                var duration = root.EndTimeUnixNano - root.StartTimeUnixNano;
                if (spans.Any(s => s.Status?.Code == Status.Types.StatusCode.Error))
                {
                    errors++;
                    Assert.Equal(Status.Types.StatusCode.Error, root.Status.Code);
                    Assert.Single(spans, s => s.Events.Any(e => e.Name == "exception"));
                }

                if (duration >= threshold)
                {
                    slow++;
                }
                else
                {
                    Assert.True(duration < threshold / 2, "ordinary traces stay well under the slow threshold");
                }
            }
        }

        // Over 3,000 traces: three standard deviations are under 1.7 and 2.2 percentage points.
        Assert.True(traces > 3000, $"{traces} traces");
        Assert.InRange(errors / (double)traces, 0.08, 0.12);
        Assert.InRange(slow / (double)traces, 0.17, 0.23);
    }

    [Fact]
    public void High_cardinality_attributes_stay_within_the_configured_cardinality()
    {
        var options = Small with { AttributeCardinality = 40 };
        var users = TraceRequests(9, options, 30)
            .SelectMany(r => r.ResourceSpans).SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans)
            .SelectMany(s => s.Attributes).Where(a => a.Key == "enduser.id").Select(a => a.Value.StringValue)
            .ToHashSet();

        Assert.InRange(users.Count, 30, 40);
    }

    [Fact]
    public void Log_records_carry_the_trace_context_of_generated_spans()
    {
        using var generator = new TrafficGenerator(new TrafficModel(4, Small with { LogsPerSpan = 1.5 }));
        using var batch = generator.Generate(0);
        var spans = ExportTraceServiceRequest.Parser.ParseFrom(batch.Requests[0].Body.Span)
            .ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans)
            .ToDictionary(s => s.SpanId);
        var logs = ExportLogsServiceRequest.Parser.ParseFrom(batch.Requests[1].Body.Span)
            .ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords).ToList();

        Assert.Equal(OtlpSignal.Logs, batch.Requests[1].Signal);
        Assert.Equal(batch.LogRecords, logs.Count);
        Assert.InRange(logs.Count, (int)(spans.Count * 1.3), (int)(spans.Count * 1.7));
        Assert.All(logs, log => Assert.Equal(spans[log.SpanId].TraceId, log.TraceId));
    }

    [Fact]
    public void Metrics_have_the_configured_series_and_cumulative_sums_grow()
    {
        var options = Small with { MetricSeries = 45, MetricsEveryBatches = 1 };
        using var generator = new TrafficGenerator(new TrafficModel(6, options));
        var collections = new List<Dictionary<string, double>>();
        for (var i = 0; i < 3; i++)
        {
            using var batch = generator.Generate(i);
            var metrics = ExportMetricsServiceRequest.Parser.ParseFrom(batch.Requests.Single(r => r.Signal == OtlpSignal.Metrics).Body.Span);
            var series = new Dictionary<string, double>();
            foreach (var resource in metrics.ResourceMetrics)
            {
                var service = resource.Resource.Attributes.Single(a => a.Key == "service.name").Value.StringValue;
                foreach (var metric in resource.ScopeMetrics.SelectMany(s => s.Metrics))
                {
                    var points = metric.DataCase switch
                    {
                        OpenTelemetry.Proto.Metrics.V1.Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(p => (p.Attributes.ToString(), (double)p.AsInt)),
                        OpenTelemetry.Proto.Metrics.V1.Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(p => (p.Attributes.ToString(), p.AsDouble)),
                        _ => metric.Histogram.DataPoints.Select(p => (p.Attributes.ToString(), (double)p.Count)),
                    };
                    foreach (var (attributes, value) in points)
                    {
                        series.Add($"{service}|{metric.Name}|{attributes}", value);
                    }
                }
            }

            collections.Add(series);
        }

        Assert.All(collections, c => Assert.Equal(45, c.Count));
        foreach (var key in collections[0].Keys.Where(k => !k.Contains("process.memory", StringComparison.Ordinal)))
        {
            Assert.True(collections[1][key] > collections[0][key] && collections[2][key] > collections[1][key], key);
        }
    }
}
