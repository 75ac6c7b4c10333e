using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Status = Google.Rpc.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.Tests.Support;

/// <summary>
/// A minimal OTLP backend for tests: Kestrel on 127.0.0.1 with OS-assigned ports, OTLP/gRPC on an HTTP/2-only
/// port and OTLP/HTTP (binary protobuf) on another. It decodes every request it accepts, records every call,
/// can be scripted to fail, partially reject or stall the next calls, and lets a test await what it received.
/// It is the trusted side of exporter tests, so it shares no wire code with the project's own receiver:
/// framing, gzip and the OTLP paths are spelled out here.
/// </summary>
public sealed class OtlpTestSink : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromSeconds(20);

    private const int MaxBodyBytes = 64 * 1024 * 1024;
    private const string ProtobufContentType = "application/x-protobuf";

    private readonly object _gate = new();
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ExportTraceServiceRequest> _traceRequests = [];
    private readonly List<ExportMetricsServiceRequest> _metricsRequests = [];
    private readonly List<ExportLogsServiceRequest> _logsRequests = [];
    private readonly List<OtlpSinkCall> _calls = [];
    private readonly Queue<ScriptedAnswer> _grpcScript = new();
    private readonly Queue<ScriptedAnswer> _httpScript = new();
    private readonly List<Waiter> _waiters = [];
    private ListenOptions? _grpcListen;
    private ListenOptions? _httpListen;
    private int _spanCount;
    private int _metricPointCount;
    private int _logRecordCount;

    private OtlpTestSink()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                _grpcListen = listen;
            });
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                _httpListen = listen;
            });
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>Base URI of the OTLP/gRPC port, e.g. http://127.0.0.1:54321.</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    /// <summary>Base URI of the OTLP/HTTP port; requests go to /v1/traces, /v1/metrics, /v1/logs.</summary>
    public Uri HttpEndpoint { get; private set; } = null!;

    public IReadOnlyList<ExportTraceServiceRequest> TraceRequests => Snapshot(_traceRequests);

    public IReadOnlyList<ExportMetricsServiceRequest> MetricsRequests => Snapshot(_metricsRequests);

    public IReadOnlyList<ExportLogsServiceRequest> LogsRequests => Snapshot(_logsRequests);

    /// <summary>Every span of every accepted request, in arrival order.</summary>
    public IReadOnlyList<Span> Spans =>
        [.. TraceRequests.SelectMany(r => r.ResourceSpans).SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans)];

    /// <summary>Every metric of every accepted request, in arrival order.</summary>
    public IReadOnlyList<Metric> Metrics =>
        [.. MetricsRequests.SelectMany(r => r.ResourceMetrics).SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics)];

    /// <summary>Every log record of every accepted request, in arrival order.</summary>
    public IReadOnlyList<LogRecord> LogRecords =>
        [.. LogsRequests.SelectMany(r => r.ResourceLogs).SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords)];

    public int SpanCount
    {
        get { lock (_gate) { return _spanCount; } }
    }

    /// <summary>Data points of all kinds (gauge, sum, histogram, exponential histogram, summary).</summary>
    public int MetricPointCount
    {
        get { lock (_gate) { return _metricPointCount; } }
    }

    public int LogRecordCount
    {
        get { lock (_gate) { return _logRecordCount; } }
    }

    /// <summary>Every call received, answered or not, in arrival order.</summary>
    public IReadOnlyList<OtlpSinkCall> Calls => Snapshot(_calls);

    /// <summary>Calls (attempts) received on the gRPC port.</summary>
    public int GrpcCallCount => CallCount(OtlpSinkTransport.Grpc);

    /// <summary>Calls (attempts) received on the HTTP port.</summary>
    public int HttpCallCount => CallCount(OtlpSinkTransport.Http);

    /// <summary>Starts a sink on two fresh loopback ports.</summary>
    public static async Task<OtlpTestSink> StartAsync(CancellationToken cancellationToken = default)
    {
        var sink = new OtlpTestSink();
        await sink._app.StartAsync(cancellationToken);
        // Kestrel writes the bound endpoint (with the OS-assigned port) back into the ListenOptions.
        sink.GrpcEndpoint = new Uri($"http://127.0.0.1:{sink._grpcListen!.IPEndPoint!.Port}");
        sink.HttpEndpoint = new Uri($"http://127.0.0.1:{sink._httpListen!.IPEndPoint!.Port}");
        return sink;
    }

    public int CallCount(OtlpSinkTransport transport)
    {
        lock (_gate)
        {
            return _calls.Count(c => c.Transport == transport);
        }
    }

    /// <summary>
    /// Answers the next <paramref name="calls"/> gRPC calls with <paramref name="status"/>, without storing their
    /// data. A <paramref name="retryDelay"/> adds a google.rpc.RetryInfo to grpc-status-details-bin. Trailers-only
    /// responses carry the status in the headers; otherwise it comes in trailers after an empty body.
    /// </summary>
    public void FailNextGrpcCalls(
        int calls,
        GrpcStatusCode status,
        string message = "scripted failure",
        TimeSpan? retryDelay = null,
        bool trailersOnly = true)
    {
        ArgumentOutOfRangeException.ThrowIfEqual((int)status, (int)GrpcStatusCode.Ok);
        Script(_grpcScript, calls, new ScriptedAnswer(AnswerKind.Fail)
        {
            GrpcStatus = status,
            Message = message,
            RetryDelay = retryDelay,
            TrailersOnly = trailersOnly,
        });
    }

    /// <summary>
    /// Answers the next <paramref name="calls"/> HTTP calls with <paramref name="status"/> and a google.rpc.Status
    /// body, without storing their data; <paramref name="retryAfter"/> is sent verbatim as Retry-After
    /// (delta-seconds or an HTTP date).
    /// </summary>
    public void FailNextHttpCalls(int calls, HttpStatusCode status, string? retryAfter = null, string message = "scripted failure")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan((int)status, 300);
        Script(_httpScript, calls, new ScriptedAnswer(AnswerKind.Fail)
        {
            HttpStatus = status,
            Message = message,
            RetryAfter = retryAfter,
        });
    }

    /// <summary>Stores the data of the next calls but answers with a partial_success rejecting <paramref name="rejected"/> items.</summary>
    public void PartiallyAcceptNextCalls(OtlpSinkTransport transport, int calls, long rejected, string message)
    {
        Script(ScriptOf(transport), calls, new ScriptedAnswer(AnswerKind.Partial) { Rejected = rejected, Message = message });
    }

    /// <summary>
    /// Holds the next calls open without answering until the client gives up on them (or the sink stops);
    /// lets a test drive the exporter's own timeout.
    /// </summary>
    public void StallNextCalls(OtlpSinkTransport transport, int calls)
    {
        Script(ScriptOf(transport), calls, new ScriptedAnswer(AnswerKind.Stall));
    }

    public Task WaitForSpansAsync(int count, TimeSpan? timeout = null) =>
        WaitUntilAsync(s => s._spanCount >= count, $"{count} spans", timeout);

    public Task WaitForMetricPointsAsync(int count, TimeSpan? timeout = null) =>
        WaitUntilAsync(s => s._metricPointCount >= count, $"{count} metric points", timeout);

    public Task WaitForLogRecordsAsync(int count, TimeSpan? timeout = null) =>
        WaitUntilAsync(s => s._logRecordCount >= count, $"{count} log records", timeout);

    /// <summary>Waits until <paramref name="count"/> calls arrived on either port, whatever they were answered.</summary>
    public Task WaitForCallsAsync(int count, TimeSpan? timeout = null) =>
        WaitUntilAsync(s => s._calls.Count >= count, $"{count} calls", timeout);

    /// <summary>
    /// Completes when <paramref name="condition"/> holds; it is checked now and after every call the sink records
    /// (under the sink's lock, so it must be quick). Throws <see cref="TimeoutException"/> describing what the sink
    /// got when <paramref name="timeout"/> (default <see cref="DefaultWaitTimeout"/>) passes first.
    /// </summary>
    public async Task WaitUntilAsync(Func<OtlpTestSink, bool> condition, string description, TimeSpan? timeout = null)
    {
        var waiter = new Waiter(condition);
        lock (_gate)
        {
            if (condition(this))
            {
                return;
            }

            _waiters.Add(waiter);
        }

        try
        {
            await waiter.Done.Task.WaitAsync(timeout ?? DefaultWaitTimeout);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }

            throw new TimeoutException($"The sink did not reach {description} within {timeout ?? DefaultWaitTimeout}; {Describe()}.");
        }
    }

    /// <summary>A one-line account of what arrived, for failure messages.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            var answers = string.Join(", ", _calls.Select(c => $"{c.Transport} {c.Path} → {c.Answer}"));
            return $"{_calls.Count} calls [{answers}], {_spanCount} spans, {_metricPointCount} metric points, {_logRecordCount} log records";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        lock (_gate)
        {
            foreach (var waiter in _waiters)
            {
                waiter.Done.TrySetException(new ObjectDisposedException(nameof(OtlpTestSink)));
            }

            _waiters.Clear();
        }

        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stopTimeout.Token);
        }

        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await ReadBodyAsync(request.Body, context.RequestAborted);
        if (request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            await HandleGrpcAsync(context, body);
        }
        else
        {
            await HandleHttpAsync(context, body);
        }
    }

    private async Task HandleGrpcAsync(HttpContext context, byte[] body)
    {
        var request = context.Request;
        var encoding = Header(request.Headers, "grpc-encoding");
        var signal = request.Path.Value switch
        {
            "/opentelemetry.proto.collector.trace.v1.TraceService/Export" => OtlpSignal.Traces,
            "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export" => OtlpSignal.Metrics,
            "/opentelemetry.proto.collector.logs.v1.LogsService/Export" => OtlpSignal.Logs,
            _ => (OtlpSignal?)null,
        };

        void RecordCall(bool accepted, string answer) =>
            Record(new OtlpSinkCall(OtlpSinkTransport.Grpc, signal, request.Path.Value ?? "", encoding, Headers(request.Headers), body.Length, accepted, answer));

        if (signal is null)
        {
            RecordCall(false, "UNIMPLEMENTED");
            WriteGrpcStatus(context.Response, GrpcStatusCode.Unimplemented, "unknown method", details: null, trailersOnly: true);
            return;
        }

        if (!TryUnframe(body, encoding, out var message, out var problem))
        {
            RecordCall(false, "INTERNAL");
            WriteGrpcStatus(context.Response, GrpcStatusCode.Internal, problem, details: null, trailersOnly: true);
            return;
        }

        if (!TryDecode(signal.Value, message, out var decoded))
        {
            RecordCall(false, "INVALID_ARGUMENT");
            WriteGrpcStatus(context.Response, GrpcStatusCode.InvalidArgument, "cannot decode the request", details: null, trailersOnly: true);
            return;
        }

        var script = Next(_grpcScript);
        switch (script?.Kind)
        {
            case AnswerKind.Fail:
                RecordCall(false, NameOf(script.GrpcStatus));
                WriteGrpcStatus(context.Response, script.GrpcStatus, script.Message, StatusDetails(script), script.TrailersOnly);
                return;
            case AnswerKind.Stall:
                RecordCall(false, "stalled");
                await StallAsync(context.RequestAborted);
                return;
            default:
                Store(decoded, out var responseMessage, script);
                RecordCall(true, script is null ? "OK" : "OK (partial success)");
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/grpc";
                var frame = new byte[5 + responseMessage.Length];
                BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)responseMessage.Length);
                responseMessage.CopyTo(frame, 5);
                await context.Response.Body.WriteAsync(frame, context.RequestAborted);
                context.Response.AppendTrailer("grpc-status", "0");
                return;
        }
    }

    private async Task HandleHttpAsync(HttpContext context, byte[] body)
    {
        var request = context.Request;
        var response = context.Response;
        var encoding = Header(request.Headers, "content-encoding");
        var signal = request.Path.Value switch
        {
            "/v1/traces" => OtlpSignal.Traces,
            "/v1/metrics" => OtlpSignal.Metrics,
            "/v1/logs" => OtlpSignal.Logs,
            _ => (OtlpSignal?)null,
        };

        async Task AnswerAsync(HttpStatusCode status, string answer, bool accepted, string message)
        {
            Record(new OtlpSinkCall(OtlpSinkTransport.Http, signal, request.Path.Value ?? "", encoding, Headers(request.Headers), body.Length, accepted, answer));
            response.StatusCode = (int)status;
            response.ContentType = ProtobufContentType;
            await response.Body.WriteAsync(new Status { Code = (int)GrpcStatusCode.Unknown, Message = message }.ToByteArray(), context.RequestAborted);
        }

        if (!HttpMethods.IsPost(request.Method) || signal is null)
        {
            await AnswerAsync(signal is null ? HttpStatusCode.NotFound : HttpStatusCode.MethodNotAllowed, "HTTP 404/405", false, "not an OTLP endpoint");
            return;
        }

        if (!string.Equals(request.ContentType, ProtobufContentType, StringComparison.OrdinalIgnoreCase))
        {
            await AnswerAsync(HttpStatusCode.UnsupportedMediaType, "HTTP 415", false, $"unsupported content type {request.ContentType}");
            return;
        }

        byte[] message;
        try
        {
            message = encoding switch
            {
                null or "identity" => body,
                "gzip" => Gunzip(body),
                _ => throw new InvalidDataException($"unsupported content encoding {encoding}"),
            };
        }
        catch (InvalidDataException ex)
        {
            await AnswerAsync(HttpStatusCode.BadRequest, "HTTP 400", false, ex.Message);
            return;
        }

        if (!TryDecode(signal.Value, message, out var decoded))
        {
            await AnswerAsync(HttpStatusCode.BadRequest, "HTTP 400", false, "cannot decode the request");
            return;
        }

        var script = Next(_httpScript);
        switch (script?.Kind)
        {
            case AnswerKind.Fail:
                if (script.RetryAfter is not null)
                {
                    response.Headers.RetryAfter = script.RetryAfter;
                }

                await AnswerAsync(script.HttpStatus, $"HTTP {(int)script.HttpStatus}", false, script.Message);
                return;
            case AnswerKind.Stall:
                Record(new OtlpSinkCall(OtlpSinkTransport.Http, signal, request.Path.Value ?? "", encoding, Headers(request.Headers), body.Length, false, "stalled"));
                await StallAsync(context.RequestAborted);
                return;
            default:
                Store(decoded, out var responseMessage, script);
                Record(new OtlpSinkCall(OtlpSinkTransport.Http, signal, request.Path.Value ?? "", encoding, Headers(request.Headers), body.Length, true, script is null ? "OK" : "OK (partial success)"));
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = ProtobufContentType;
                await response.Body.WriteAsync(responseMessage, context.RequestAborted);
                return;
        }
    }

    // One unary gRPC message: 1-byte compressed flag, 4-byte big-endian length, then exactly that many bytes.
    private static bool TryUnframe(byte[] body, string? encoding, out byte[] message, out string problem)
    {
        message = [];
        if (body.Length < 5)
        {
            problem = $"a gRPC message needs a 5-byte prefix, got {body.Length} bytes";
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4));
        if (length != body.Length - 5)
        {
            problem = $"the frame announces {length} bytes but carries {body.Length - 5}";
            return false;
        }

        var payload = body[5..];
        if (body[0] == 0)
        {
            message = payload;
            problem = "";
            return true;
        }

        if (encoding != "gzip")
        {
            problem = $"compressed frame with grpc-encoding '{encoding}'";
            return false;
        }

        try
        {
            message = Gunzip(payload);
            problem = "";
            return true;
        }
        catch (InvalidDataException ex)
        {
            problem = $"bad gzip: {ex.Message}";
            return false;
        }
    }

    private static bool TryDecode(OtlpSignal signal, byte[] message, out IMessage decoded)
    {
        try
        {
            decoded = signal switch
            {
                OtlpSignal.Traces => ExportTraceServiceRequest.Parser.ParseFrom(message),
                OtlpSignal.Metrics => ExportMetricsServiceRequest.Parser.ParseFrom(message),
                _ => ExportLogsServiceRequest.Parser.ParseFrom(message),
            };
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            decoded = null!;
            return false;
        }
    }

    private void Store(IMessage decoded, out byte[] response, ScriptedAnswer? script)
    {
        var rejected = script?.Kind == AnswerKind.Partial ? script.Rejected : 0;
        var message = script?.Kind == AnswerKind.Partial ? script.Message : null;
        lock (_gate)
        {
            switch (decoded)
            {
                case ExportTraceServiceRequest traces:
                    _traceRequests.Add(traces);
                    _spanCount += traces.ResourceSpans.SelectMany(r => r.ScopeSpans).Sum(s => s.Spans.Count);
                    response = (message is null
                        ? new ExportTraceServiceResponse()
                        : new ExportTraceServiceResponse { PartialSuccess = new() { RejectedSpans = rejected, ErrorMessage = message } }).ToByteArray();
                    break;
                case ExportMetricsServiceRequest metrics:
                    _metricsRequests.Add(metrics);
                    _metricPointCount += metrics.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).Sum(PointCount);
                    response = (message is null
                        ? new ExportMetricsServiceResponse()
                        : new ExportMetricsServiceResponse { PartialSuccess = new() { RejectedDataPoints = rejected, ErrorMessage = message } }).ToByteArray();
                    break;
                default:
                    var logs = (ExportLogsServiceRequest)decoded;
                    _logsRequests.Add(logs);
                    _logRecordCount += logs.ResourceLogs.SelectMany(r => r.ScopeLogs).Sum(s => s.LogRecords.Count);
                    response = (message is null
                        ? new ExportLogsServiceResponse()
                        : new ExportLogsServiceResponse { PartialSuccess = new() { RejectedLogRecords = rejected, ErrorMessage = message } }).ToByteArray();
                    break;
            }
        }
    }

    private static int PointCount(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
        _ => 0,
    };

    private void Record(OtlpSinkCall call)
    {
        lock (_gate)
        {
            _calls.Add(call);
            // Waiters see the call (and any data stored just before) before the client sees the answer.
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(this))
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private static void WriteGrpcStatus(HttpResponse response, GrpcStatusCode status, string message, Status? details, bool trailersOnly)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        var values = new List<(string Name, string Value)>
        {
            ("grpc-status", ((int)status).ToString(CultureInfo.InvariantCulture)),
            ("grpc-message", PercentEncode(message)),
        };
        if (details is not null)
        {
            // gRPC sends binary metadata as unpadded base64; clients must accept both.
            values.Add(("grpc-status-details-bin", Convert.ToBase64String(details.ToByteArray()).TrimEnd('=')));
        }

        foreach (var (name, value) in values)
        {
            if (trailersOnly)
            {
                response.Headers[name] = value;
            }
            else
            {
                response.AppendTrailer(name, value);
            }
        }
    }

    private static Status? StatusDetails(ScriptedAnswer script)
    {
        if (script.RetryDelay is not { } delay)
        {
            return null;
        }

        var status = new Status { Code = (int)script.GrpcStatus, Message = script.Message };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        return status;
    }

    private static string PercentEncode(string message)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != '%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
            }
        }

        return builder.ToString();
    }

    private async Task StallAsync(CancellationToken requestAborted)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _stopping.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
            // The client gave up or the sink is stopping: nothing left to answer.
        }
    }

    private static async Task<byte[]> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static byte[] Gunzip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        if (output.Length > MaxBodyBytes)
        {
            throw new InvalidDataException("decompressed body too large");
        }

        return output.ToArray();
    }

    private static string? Header(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

    private static Dictionary<string, string> Headers(IHeaderDictionary headers) =>
        headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", (IEnumerable<string?>)h.Value), StringComparer.OrdinalIgnoreCase);

    // UNAVAILABLE, RESOURCE_EXHAUSTED ...: the names the gRPC docs use.
    private static string NameOf(GrpcStatusCode status) =>
        Regex.Replace(status.ToString(), "(?<!^)([A-Z])", "_$1").ToUpperInvariant();

    /// <summary>Forgets every scripted answer not yet given: the backend is healthy again.</summary>
    public void ClearScript()
    {
        lock (_gate)
        {
            _grpcScript.Clear();
            _httpScript.Clear();
        }
    }

    private Queue<ScriptedAnswer> ScriptOf(OtlpSinkTransport transport) =>
        transport == OtlpSinkTransport.Grpc ? _grpcScript : _httpScript;

    private void Script(Queue<ScriptedAnswer> script, int calls, ScriptedAnswer answer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(calls);
        lock (_gate)
        {
            for (var i = 0; i < calls; i++)
            {
                script.Enqueue(answer);
            }
        }
    }

    private ScriptedAnswer? Next(Queue<ScriptedAnswer> script)
    {
        lock (_gate)
        {
            return script.TryDequeue(out var answer) ? answer : null;
        }
    }

    private List<T> Snapshot<T>(List<T> list)
    {
        lock (_gate)
        {
            return [.. list];
        }
    }

    private enum AnswerKind
    {
        Fail,
        Partial,
        Stall,
    }

    private sealed record ScriptedAnswer(AnswerKind Kind)
    {
        public GrpcStatusCode GrpcStatus { get; init; }

        public HttpStatusCode HttpStatus { get; init; }

        public string Message { get; init; } = "";

        public TimeSpan? RetryDelay { get; init; }

        public string? RetryAfter { get; init; }

        public bool TrailersOnly { get; init; }

        public long Rejected { get; init; }
    }

    private sealed record Waiter(Func<OtlpTestSink, bool> Condition)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
