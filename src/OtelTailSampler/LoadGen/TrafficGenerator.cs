using OtelTailSampler.Otlp;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// Turns batch numbers into OTLP requests. Batch <c>i</c> draws from its own random stream, seeded by
/// (seed, <c>i</c>), so batches can be generated in any order and by any sender and still be byte-identical.
/// A batch holds whole traces: a root SERVER span at the entry service, then calls (a CLIENT span and the
/// callee's SERVER span), database calls and internal work, nested up to the configured depth and fan-out.
/// Spans are grouped by service into one ResourceSpans each, as a gateway Collector would batch them.
/// Not thread-safe: each sender has its own generator over the shared <see cref="TrafficModel"/>.
/// </summary>
internal sealed class TrafficGenerator : IDisposable
{
    private const ulong TraceStream = 0x7472616365;
    private const int MethodPostPercent = 20;
    private const int HealthCheckPercent = 2;
    private const uint SampledFlag = 0x01;
    private const uint HasIsRemoteFlag = 0x100;
    private const uint IsRemoteFlag = 0x200;

    // Root durations of ordinary traces, in microseconds: roughly log-normal around 40 ms. A table, not
    // Math.Exp, so that durations are the same bytes on every platform.
    private static readonly int[] RootDurationsMicros =
    [
        1_200, 2_000, 3_000, 4_500, 6_000, 8_000, 10_000, 12_000, 15_000, 18_000, 21_000, 25_000, 30_000, 35_000,
        40_000, 46_000, 53_000, 61_000, 70_000, 80_000, 92_000, 105_000, 120_000, 140_000, 165_000, 195_000,
        230_000, 270_000, 320_000, 380_000, 440_000, 480_000,
    ];

    private static readonly double[] HistogramBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
    private static readonly int[] HistogramShape = [1, 3, 8, 15, 20, 18, 12, 7, 4, 2, 1];

    private readonly TrafficModel _model;
    private readonly TrafficOptions _options;
    private readonly ProtoBuilder[] _spansByService;
    private readonly ProtoBuilder[] _logsByService;
    private readonly int[] _instances;
    private readonly Exemplar[] _exemplars;
    private readonly Stack<int> _pending = new();
    private readonly long _startNanos;
    private readonly long _stepNanos;
    private readonly long _slowNanos;
    private SpanDraft[] _spans = new SpanDraft[64];
    private int _spanCount;
    private ulong _traceHigh;
    private ulong _traceLow;

    public TrafficGenerator(TrafficModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = model.Options;
        var services = model.Services.Count;
        _spansByService = [.. Enumerable.Range(0, services).Select(_ => new ProtoBuilder(16 * 1024))];
        _logsByService = [.. Enumerable.Range(0, services).Select(_ => new ProtoBuilder(8 * 1024))];
        _instances = new int[services];
        _exemplars = new Exemplar[services];
        _startNanos = (_options.StartTime - DateTimeOffset.UnixEpoch).Ticks * 100;
        _stepNanos = _options.BatchTimeStep.Ticks * 100;
        _slowNanos = _options.SlowThreshold.Ticks * 100;
    }

    /// <summary>Generates batch <paramref name="index"/>; the caller disposes it once sent.</summary>
    public TrafficBatch Generate(long index)
    {
        var random = DeterministicRandom.For(_model.Seed, TraceStream, index);
        var batchStart = _startNanos + (index * _stepNanos);
        for (var s = 0; s < _spansByService.Length; s++)
        {
            _spansByService[s].Clear();
            _logsByService[s].Clear();
            _instances[s] = random.Next(TrafficModel.InstancesPerService);
            _exemplars[s] = default;
        }

        int traces = 0, spans = 0, errors = 0, slow = 0, logs = 0;
        while (spans < _options.SpansPerRequest)
        {
            var (traceSpans, traceLogs, error, isSlow) = GenerateTrace(ref random, batchStart);
            traces++;
            spans += traceSpans;
            logs += traceLogs;
            errors += error ? 1 : 0;
            slow += isSlow ? 1 : 0;
        }

        var requests = new List<LoadRequest>(3)
        {
            Envelope(OtlpSignal.Traces, _spansByService, spans),
        };
        if (logs > 0)
        {
            requests.Add(Envelope(OtlpSignal.Logs, _logsByService, logs));
        }

        var dataPoints = 0;
        if (_model.MetricGroups.Count > 0 && index % _options.MetricsEveryBatches == 0)
        {
            dataPoints = _options.MetricSeries;
            requests.Add(Metrics(index / _options.MetricsEveryBatches, batchStart + _stepNanos, ref random));
        }

        return new TrafficBatch(index, requests, traces, spans, errors, slow, logs, dataPoints);
    }

    public void Dispose()
    {
        foreach (var builder in _spansByService.Concat(_logsByService))
        {
            builder.Dispose();
        }
    }

    private (int Spans, int Logs, bool Error, bool Slow) GenerateTrace(ref DeterministicRandom random, long batchStart)
    {
        _spanCount = 0;
        _traceHigh = random.NextNonZero();
        _traceLow = random.NextNonZero();
        var error = random.Chance(_options.ErrorShare);
        var slow = random.Chance(_options.SlowShare);
        var start = batchStart + (long)(random.NextDouble() * _stepNanos);
        var duration = slow
            ? (long)(_slowNanos * (1 + (2 * random.NextDouble())))
            : Math.Min((long)(RootDurationsMicros[random.Next(RootDurationsMicros.Length)] * 1000L * (0.9 + (0.2 * random.NextDouble()))), (_slowNanos / 2) - 1000);

        var entry = _model.Services[0];
        var route = PickRoute(entry, ref random, allowHealthCheck: true);
        Add(new SpanDraft
        {
            Service = 0, Parent = -1, Depth = 1, Role = SpanRole.Server, Route = route, SpanId = random.NextNonZero(),
            Start = start, End = start + duration, Post = random.Next(100) < MethodPostPercent,
        });
        if (!entry.Routes[route].IsHealthCheck)
        {
            Expand(ref random);
        }

        if (error)
        {
            MarkError(random.Next(_spanCount));
        }

        var logs = 0;
        for (var i = 0; i < _spanCount; i++)
        {
            WriteSpan(i, ref random);
            logs += WriteLogs(i, ref random);
        }

        return (_spanCount, logs, error, slow);
    }

    private void Expand(ref DeterministicRandom random)
    {
        _pending.Clear();
        _pending.Push(0);
        while (_pending.TryPop(out var parentIndex))
        {
            var parent = _spans[parentIndex];
            if (parent.Depth >= _options.MaxDepth || _options.MaxFanOut == 0)
            {
                continue;
            }

            var service = _model.Services[parent.Service];
            // The root always does something; deeper spans fan out less, as real call trees thin out.
            var widest = parent.Depth == 1 ? _options.MaxFanOut : Math.Max(1, _options.MaxFanOut - ((parent.Depth - 1) / 2));
            var children = random.Next(parent.Depth == 1 ? 1 : 0, widest + 1);
            var slot = (parent.End - parent.Start) / Math.Max(children, 1);
            for (var c = 0; c < children && _spanCount < _options.MaxSpansPerTrace; c++)
            {
                // Calls run one after another, each inside its share of the parent's time.
                var slotStart = parent.Start + (c * slot);
                var childStart = slotStart + (long)(slot * 0.2 * random.NextDouble());
                var childEnd = Math.Max(childStart + 2_000, childStart + (long)((slotStart + slot - childStart) * (0.3 + (0.65 * random.NextDouble()))));
                childEnd = Math.Min(childEnd, parent.End);
                var roll = random.NextDouble();
                if (service.Downstreams.Length > 0 && roll < 0.55 && _spanCount + 2 <= _options.MaxSpansPerTrace && parent.Depth + 2 <= _options.MaxDepth)
                {
                    var target = service.Downstreams[random.Next(service.Downstreams.Length)];
                    var targetRoute = PickRoute(_model.Services[target], ref random, allowHealthCheck: false);
                    var post = random.Next(100) < MethodPostPercent;
                    var client = Add(new SpanDraft
                    {
                        Service = parent.Service, Parent = parentIndex, Depth = parent.Depth + 1, Role = SpanRole.Client, Route = targetRoute,
                        Target = target, SpanId = random.NextNonZero(), Start = childStart, End = childEnd, Post = post,
                    });
                    var network = Math.Min(200_000, (childEnd - childStart) / 10);
                    var server = Add(new SpanDraft
                    {
                        Service = target, Parent = client, Depth = parent.Depth + 2, Role = SpanRole.Server, Route = targetRoute,
                        SpanId = random.NextNonZero(), Start = childStart + network, End = childEnd - network, Post = post,
                    });
                    _pending.Push(server);
                }
                else if (service.Database is { } database && roll < 0.85)
                {
                    Add(new SpanDraft
                    {
                        Service = parent.Service, Parent = parentIndex, Depth = parent.Depth + 1, Role = SpanRole.Database,
                        Operation = random.Next(database.OperationCount), Collection = random.Next(database.Collections.Length),
                        SpanId = random.NextNonZero(), Start = childStart, End = childEnd,
                    });
                }
                else
                {
                    var work = Add(new SpanDraft
                    {
                        Service = parent.Service, Parent = parentIndex, Depth = parent.Depth + 1, Role = SpanRole.Internal,
                        Operation = random.Next(service.Functions.Length), SpanId = random.NextNonZero(), Start = childStart, End = childEnd,
                    });
                    _pending.Push(work);
                }
            }
        }
    }

    private static int PickRoute(ServiceProfile service, ref DeterministicRandom random, bool allowHealthCheck)
    {
        var last = service.Routes.Length - 1;
        if (service.Routes[last].IsHealthCheck)
        {
            if (allowHealthCheck && random.Next(100) < HealthCheckPercent)
            {
                return last;
            }

            return random.Next(last);
        }

        return random.Next(service.Routes.Length);
    }

    /// <summary>The failing span and every ancestor get status ERROR; the failing one also an exception event.</summary>
    private void MarkError(int origin)
    {
        _spans[origin].ErrorOrigin = true;
        for (var i = origin; i >= 0; i = _spans[i].Parent)
        {
            _spans[i].Error = true;
        }
    }

    private int Add(in SpanDraft span)
    {
        if (_spanCount == _spans.Length)
        {
            Array.Resize(ref _spans, _spans.Length * 2);
        }

        _spans[_spanCount] = span;
        return _spanCount++;
    }

    private void WriteSpan(int index, ref DeterministicRandom random)
    {
        ref readonly var span = ref _spans[index];
        var service = _model.Services[span.Service];
        var b = _spansByService[span.Service];
        b.BeginMessage(OtlpWire.ScopeItems);
        b.Id(OtlpWire.SpanTraceId, _traceHigh, _traceLow);
        b.Id(OtlpWire.SpanSpanId, span.SpanId);
        if (span.Parent >= 0)
        {
            b.Id(OtlpWire.SpanParentSpanId, _spans[span.Parent].SpanId);
        }

        var status = span.Error ? 500 : 200;
        switch (span.Role)
        {
            case SpanRole.Server:
            {
                var route = service.Routes[span.Route];
                b.Bytes(OtlpWire.SpanName, span.Post ? route.PostName : route.GetName);
                b.Varint(OtlpWire.SpanKind, 2);
                Times(b, span);
                b.StringAttribute(OtlpWire.SpanAttributes, "http.request.method"u8, span.Post ? "POST"u8 : "GET"u8);
                b.StringAttribute(OtlpWire.SpanAttributes, "http.route"u8, route.Template);
                if (route.HasId)
                {
                    b.StringAttribute(OtlpWire.SpanAttributes, "url.path"u8, route.PathPrefix, random.Next(_options.AttributeCardinality), route.PathSuffix);
                }
                else
                {
                    b.StringAttribute(OtlpWire.SpanAttributes, "url.path"u8, route.Template);
                }

                b.StringAttribute(OtlpWire.SpanAttributes, "url.scheme"u8, "http"u8);
                b.StringAttribute(OtlpWire.SpanAttributes, "server.address"u8, service.NameUtf8);
                b.IntAttribute(OtlpWire.SpanAttributes, "server.port"u8, 8080);
                b.IntAttribute(OtlpWire.SpanAttributes, "http.response.status_code"u8, status);
                if (span.Parent < 0)
                {
                    b.StringAttribute(OtlpWire.SpanAttributes, "enduser.id"u8, "user-"u8, random.Next(_options.AttributeCardinality), default);
                    b.StringAttribute(OtlpWire.SpanAttributes, "app.tenant.id"u8, "tenant-"u8, random.Next(Math.Min(50, _options.AttributeCardinality)), default);
                    b.StringAttribute(OtlpWire.SpanAttributes, "user_agent.original"u8, random.Next(3) switch
                    {
                        0 => "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"u8,
                        1 => "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"u8,
                        _ => "okhttp/4.12.0"u8,
                    });
                    b.IntAttribute(OtlpWire.SpanAttributes, "app.cart.items"u8, random.Next(1, 21));
                    b.DoubleAttribute(OtlpWire.SpanAttributes, "app.order.amount"u8, random.Next(100, 100_000) / 100.0);
                    b.BoolAttribute(OtlpWire.SpanAttributes, "app.feature.new_checkout"u8, random.Next(10) == 0);
                }

                _exemplars[span.Service] = new Exemplar(_traceHigh, _traceLow, span.SpanId, span.End, (span.End - span.Start) / 1e9);
                break;
            }

            case SpanRole.Client:
            {
                var target = _model.Services[span.Target];
                var route = target.Routes[span.Route];
                b.Bytes(OtlpWire.SpanName, span.Post ? "POST"u8 : "GET"u8);
                b.Varint(OtlpWire.SpanKind, 3);
                Times(b, span);
                b.StringAttribute(OtlpWire.SpanAttributes, "http.request.method"u8, span.Post ? "POST"u8 : "GET"u8);
                if (route.HasId)
                {
                    b.StringAttribute(OtlpWire.SpanAttributes, "url.full"u8, route.UrlPrefix, random.Next(_options.AttributeCardinality), route.PathSuffix);
                }
                else
                {
                    b.StringAttribute(OtlpWire.SpanAttributes, "url.full"u8, route.UrlPrefix);
                }

                b.StringAttribute(OtlpWire.SpanAttributes, "server.address"u8, target.NameUtf8);
                b.IntAttribute(OtlpWire.SpanAttributes, "server.port"u8, 8080);
                b.IntAttribute(OtlpWire.SpanAttributes, "http.response.status_code"u8, status);
                break;
            }

            case SpanRole.Database:
            {
                var database = service.Database!;
                b.Bytes(OtlpWire.SpanName, database.SpanNames[span.Operation][span.Collection]);
                b.Varint(OtlpWire.SpanKind, 3);
                Times(b, span);
                b.StringAttribute(OtlpWire.SpanAttributes, "db.system.name"u8, database.System);
                b.StringAttribute(OtlpWire.SpanAttributes, "db.namespace"u8, database.Namespace);
                b.StringAttribute(OtlpWire.SpanAttributes, "db.operation.name"u8, database.OperationNames[span.Operation]);
                b.StringAttribute(OtlpWire.SpanAttributes, "db.collection.name"u8, database.Collections[span.Collection]);
                b.StringAttribute(OtlpWire.SpanAttributes, "db.query.text"u8, database.Queries[span.Operation][span.Collection]);
                b.StringAttribute(OtlpWire.SpanAttributes, "server.address"u8, database.Address);
                break;
            }

            default:
                b.Bytes(OtlpWire.SpanName, service.Functions[span.Operation]);
                b.Varint(OtlpWire.SpanKind, 1);
                Times(b, span);
                b.StringAttribute(OtlpWire.SpanAttributes, "code.function.name"u8, service.Functions[span.Operation]);
                break;
        }

        if (span.ErrorOrigin)
        {
            b.BeginMessage(OtlpWire.SpanEvents);
            b.Fixed64(OtlpWire.EventTime, (ulong)span.End);
            b.Bytes(OtlpWire.EventName, "exception"u8);
            b.StringAttribute(OtlpWire.EventAttributes, "exception.type"u8, span.Role == SpanRole.Database ? "DbTimeoutException"u8 : "UpstreamException"u8);
            b.StringAttribute(OtlpWire.EventAttributes, "exception.message"u8, "operation failed after "u8, (span.End - span.Start) / 1_000_000, " ms"u8);
            b.EndMessage();
        }

        if (span.Error)
        {
            b.BeginMessage(OtlpWire.SpanStatus);
            if (span.ErrorOrigin)
            {
                b.Bytes(OtlpWire.StatusMessage, "operation failed"u8);
            }

            b.Varint(OtlpWire.StatusCode, 2);
            b.EndMessage();
        }

        var remote = span.Role == SpanRole.Server && span.Parent >= 0 ? IsRemoteFlag : 0;
        b.Fixed32(OtlpWire.SpanFlags, SampledFlag | HasIsRemoteFlag | remote);
        b.EndMessage();
    }

    private static void Times(ProtoBuilder b, in SpanDraft span)
    {
        b.Fixed64(OtlpWire.SpanStartTime, (ulong)span.Start);
        b.Fixed64(OtlpWire.SpanEndTime, (ulong)span.End);
    }

    private int WriteLogs(int index, ref DeterministicRandom random)
    {
        var perSpan = _options.LogsPerSpan;
        var count = (int)perSpan + (random.Chance(perSpan - Math.Floor(perSpan)) ? 1 : 0);
        ref readonly var span = ref _spans[index];
        var service = _model.Services[span.Service];
        var b = _logsByService[span.Service];
        for (var i = 0; i < count; i++)
        {
            var time = span.Start + (long)((span.End - span.Start) * random.NextDouble());
            var severity = span switch
            {
                { ErrorOrigin: true } => 17,
                { Error: true } => 13,
                { Role: SpanRole.Database } => 5,
                _ => 9,
            };
            b.BeginMessage(OtlpWire.ScopeItems);
            b.Fixed64(OtlpWire.LogTime, (ulong)time);
            b.Varint(OtlpWire.LogSeverityNumber, (ulong)severity);
            b.Bytes(OtlpWire.LogSeverityText, severity switch { 17 => "ERROR"u8, 13 => "WARN"u8, 5 => "DEBUG"u8, _ => "INFO"u8 });
            b.BeginMessage(OtlpWire.LogBody);
            var elapsedMs = (time - span.Start) / 1_000_000;
            switch (span.Role)
            {
                case SpanRole.Server when span.Error:
                    b.StringWithNumber(OtlpWire.AnyValueString, "request failed after "u8, elapsedMs, " ms: upstream returned 500"u8);
                    break;
                case SpanRole.Server:
                    b.StringWithNumber(OtlpWire.AnyValueString, "request handled in "u8, elapsedMs, " ms"u8);
                    break;
                case SpanRole.Client:
                    b.StringWithNumber(OtlpWire.AnyValueString, "calling downstream service, attempt "u8, 1, ""u8);
                    break;
                case SpanRole.Database:
                    b.StringWithNumber(OtlpWire.AnyValueString, "query returned "u8, random.Next(50), " rows"u8);
                    break;
                default:
                    b.StringWithNumber(OtlpWire.AnyValueString, "step finished in "u8, elapsedMs, " ms"u8);
                    break;
            }

            b.EndMessage();
            b.StringAttribute(OtlpWire.LogAttributes, "code.namespace"u8, service.LoggerName);
            b.IntAttribute(OtlpWire.LogAttributes, "thread.id"u8, random.Next(1, 65));
            b.Fixed32(OtlpWire.LogFlags, SampledFlag);
            b.Id(OtlpWire.LogTraceId, _traceHigh, _traceLow);
            b.Id(OtlpWire.LogSpanId, span.SpanId);
            b.Fixed64(OtlpWire.LogObservedTime, (ulong)(time + 150_000));
            b.EndMessage();
        }

        return count;
    }

    /// <summary>Wraps each service's items in its ResourceSpans/ResourceLogs and scope.</summary>
    private LoadRequest Envelope(OtlpSignal signal, ProtoBuilder[] itemsByService, int items)
    {
        using var request = new ProtoBuilder(64 * 1024, LoadRequest.Headroom);
        for (var s = 0; s < itemsByService.Length; s++)
        {
            if (itemsByService[s].Length == 0)
            {
                continue;
            }

            var service = _model.Services[s];
            request.BeginMessage(OtlpWire.RequestResources);
            request.Bytes(OtlpWire.ResourceResource, service.Resources[_instances[s]]);
            request.BeginMessage(OtlpWire.ResourceScopes);
            request.Bytes(OtlpWire.ScopeScope, service.Scope);
            request.Raw(itemsByService[s].WrittenSpan);
            request.EndMessage();
            request.EndMessage();
        }

        var (buffer, length) = request.Detach();
        return new LoadRequest(signal, buffer, length, items);
    }

    /// <summary>
    /// One data point per series. Sums and histograms are cumulative since <see cref="TrafficOptions.StartTime"/>
    /// and grow with <paramref name="collection"/>; histogram points carry an exemplar pointing at a span of this batch.
    /// </summary>
    private LoadRequest Metrics(long collection, long time, ref DeterministicRandom random)
    {
        using var request = new ProtoBuilder(64 * 1024, LoadRequest.Headroom);
        var groups = _model.MetricGroups;
        for (var g = 0; g < groups.Count;)
        {
            var service = _model.Services[groups[g].Service];
            request.BeginMessage(OtlpWire.RequestResources);
            request.Bytes(OtlpWire.ResourceResource, service.Resources[_instances[service.Index]]);
            request.BeginMessage(OtlpWire.ResourceScopes);
            request.Bytes(OtlpWire.ScopeScope, service.MeterScope);
            for (; g < groups.Count && groups[g].Service == service.Index; g++)
            {
                WriteMetric(request, groups[g], collection, time, ref random);
            }

            request.EndMessage();
            request.EndMessage();
        }

        var (buffer, length) = request.Detach();
        return new LoadRequest(OtlpSignal.Metrics, buffer, length, _options.MetricSeries);
    }

    private void WriteMetric(ProtoBuilder b, MetricGroup group, long collection, long time, ref DeterministicRandom random)
    {
        b.BeginMessage(OtlpWire.ScopeItems);
        b.Bytes(OtlpWire.MetricName, group.Name);
        b.Bytes(OtlpWire.MetricDescription, group.Description);
        b.Bytes(OtlpWire.MetricUnit, group.Unit);
        var field = group.Kind switch { MetricKind.Sum => OtlpWire.MetricSum, MetricKind.Histogram => OtlpWire.MetricHistogram, _ => OtlpWire.MetricGauge };
        b.BeginMessage(field);
        for (var i = 0; i < group.Series.Length; i++)
        {
            var series = group.Series[i];
            b.BeginMessage(OtlpWire.DataPoints);
            switch (group.Kind)
            {
                case MetricKind.Sum:
                {
                    // Monotonic: each collection adds between one and two increments.
                    var increment = 1 + (series % 50);
                    b.Fixed64(OtlpWire.NumberStartTime, (ulong)_startNanos);
                    b.Fixed64(OtlpWire.NumberTime, (ulong)time);
                    b.Fixed64(OtlpWire.NumberAsInt, (ulong)(((collection + 1) * increment) + random.Next(increment)));
                    b.Raw(group.Attributes[i]);
                    break;
                }

                case MetricKind.Gauge:
                    b.Fixed64(OtlpWire.NumberStartTime, (ulong)_startNanos);
                    b.Fixed64(OtlpWire.NumberTime, (ulong)time);
                    b.Double(OtlpWire.NumberAsDouble, (50 + (series % 200)) * 1_048_576 * (0.8 + (0.4 * random.NextDouble())));
                    b.Raw(group.Attributes[i]);
                    break;
                default:
                    WriteHistogramPoint(b, group, i, collection, time);
                    break;
            }

            b.EndMessage();
        }

        if (group.Kind != MetricKind.Gauge)
        {
            b.Varint(OtlpWire.AggregationTemporality, OtlpWire.CumulativeTemporality);
        }

        if (group.Kind == MetricKind.Sum)
        {
            b.Varint(OtlpWire.SumIsMonotonic, 1);
        }

        b.EndMessage();
        b.EndMessage();
    }

    private void WriteHistogramPoint(ProtoBuilder b, MetricGroup group, int i, long collection, long time)
    {
        var weight = (collection + 1) * (1 + (group.Series[i] % 5));
        long count = 0;
        var sum = 0.0;
        for (var bucket = 0; bucket < HistogramShape.Length; bucket++)
        {
            var inBucket = HistogramShape[bucket] * weight;
            count += inBucket;
            var upper = bucket < HistogramBounds.Length ? HistogramBounds[bucket] : HistogramBounds[^1] * 2;
            var lower = bucket == 0 ? 0 : HistogramBounds[bucket - 1];
            sum += inBucket * (lower + upper) / 2;
        }

        b.Fixed64(OtlpWire.HistogramStartTime, (ulong)_startNanos);
        b.Fixed64(OtlpWire.HistogramTime, (ulong)time);
        b.Fixed64(OtlpWire.HistogramCount, (ulong)count);
        b.Double(OtlpWire.HistogramSum, sum);
        b.BeginMessage(OtlpWire.HistogramBucketCounts);
        foreach (var shape in HistogramShape)
        {
            b.RawFixed64((ulong)(shape * weight));
        }

        b.EndMessage();
        b.BeginMessage(OtlpWire.HistogramExplicitBounds);
        foreach (var bound in HistogramBounds)
        {
            b.RawFixed64(BitConverter.DoubleToUInt64Bits(bound));
        }

        b.EndMessage();
        if (_exemplars[group.Service] is { SpanId: not 0 } exemplar)
        {
            b.BeginMessage(OtlpWire.HistogramExemplars);
            b.Fixed64(OtlpWire.ExemplarTime, (ulong)exemplar.Time);
            b.Double(OtlpWire.ExemplarAsDouble, exemplar.Seconds);
            b.Id(OtlpWire.ExemplarSpanId, exemplar.SpanId);
            b.Id(OtlpWire.ExemplarTraceId, exemplar.TraceHigh, exemplar.TraceLow);
            b.EndMessage();
        }

        b.Raw(group.Attributes[i]);
    }

    /// <summary>The last SERVER span of a service in the batch, which its histogram points point at.</summary>
    private readonly record struct Exemplar(ulong TraceHigh, ulong TraceLow, ulong SpanId, long Time, double Seconds);
}
