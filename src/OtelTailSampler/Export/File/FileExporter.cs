using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Configuration;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Json;

namespace OtelTailSampler.Export.File;

/// <summary>
/// Writes accepted telemetry to local files when no OTLP backend is configured, in the OTLP file exporter
/// format: one OTLP JSON request per line, one file per signal (traces.jsonl, metrics.jsonl, logs.jsonl), rotated
/// by size. A single background loop does all file work, so the node's request path only enqueues; write
/// failures are never thrown at the node. They feed <see cref="Health"/> and are logged at most once per
/// failure-log-interval per signal; a request that could not be written is dropped (counted, and reported in an
/// error line that sums the drops since the previous one) unless its caller keeps a durable copy, in which case
/// it is reported abandoned and counted as returned.
/// </summary>
public sealed partial class FileExporter : ITelemetryExporter
{
    private readonly ILogger<FileExporter> _logger;
    private readonly Channel<WorkItem> _queue;
    private readonly List<WorkItem> _awaitingDisk = [];
    private readonly RotatingFile[] _files;
    private readonly SignalFailures[] _failures;
    private readonly ExporterMetrics _metrics;
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly Utf8JsonWriter _json;
    private readonly Task _writerLoop;
    private int _disposed;

    /// <param name="meterFactory">Creates the "OtelTailSampler" meter; without one the exporter creates and owns it.</param>
    public FileExporter(FileExporterOptions options, ILogger<FileExporter> logger, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFileBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFiles, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.UnhealthyAfter, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FailureLogInterval, TimeSpan.Zero);

        _logger = logger;
        timeProvider ??= TimeProvider.System;
        Health = new ExporterHealth(options.UnhealthyAfter, timeProvider);
        _failures = [.. Enum.GetValues<OtlpSignal>().Select(_ => new SignalFailures(new ExportFailureLog(options.FailureLogInterval, timeProvider)))];
        _metrics = new ExporterMetrics(meterFactory);
        _files =
        [
            .. Enum.GetValues<OtlpSignal>().Select(signal =>
                new RotatingFile(options.Path, FileName(signal), options.MaxFileBytes, options.MaxFiles, timeProvider)),
        ];
        _json = new Utf8JsonWriter(_line, OtlpJson.DefaultWriterOptions);
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writerLoop = Task.Run(RunAsync);
    }

    /// <inheritdoc />
    public bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount) => TryEnqueue(signal, request, itemCount, null, durable: false);

    /// <inheritdoc />
    /// <remarks>A request counts as delivered once its line is written and flushed to disk.</remarks>
    public bool TryEnqueue(OtlpSignal signal, ReadOnlyMemory<byte> request, int itemCount, Action<ExportResult>? completed, bool durable)
    {
        if (!Enum.IsDefined(signal))
        {
            throw new ArgumentOutOfRangeException(nameof(signal));
        }

        // Also false once disposed: nothing more will be written.
        return _queue.Writer.TryWrite(new WorkItem(signal, request, itemCount, FlushDone: null, completed, durable));
    }

    /// <inheritdoc />
    /// <remarks>Fed by every write; a signal is failing after <see cref="FileExporterOptions.UnhealthyAfter"/> of failed writes.</remarks>
    public ExporterHealth Health { get; }

    /// <summary>Completes once everything enqueued before the call is written and flushed to disk (or failed and logged).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        // The marker travels the same queue as the requests, so it is reached only after all of them.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new WorkItem(default, default, 0, done), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Disposed: the final drain writes and closes everything, which is all a flush could add.
            await _writerLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops taking requests and writes everything already queued; the wait ends early when cancelled.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _writerLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops taking requests, writes everything already queued, and closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _json.DisposeAsync().ConfigureAwait(false);
            _metrics.Dispose();
        }
    }

    private static string FileName(OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "traces",
        OtlpSignal.Metrics => "metrics",
        OtlpSignal.Logs => "logs",
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };

    private static IMessage Decode(OtlpSignal signal, ReadOnlySpan<byte> request) => signal switch
    {
        OtlpSignal.Traces => ExportTraceServiceRequest.Parser.ParseFrom(request),
        OtlpSignal.Metrics => ExportMetricsServiceRequest.Parser.ParseFrom(request),
        OtlpSignal.Logs => ExportLogsServiceRequest.Parser.ParseFrom(request),
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (item.FlushDone is { } done)
                {
                    FlushAll(toDisk: true);
                    ReportWritten();
                    done.TrySetResult();
                }
                else
                {
                    Export(item);
                }
            }

            // The queue ran dry: hand buffered lines to the OS so that anyone tailing the files sees them, and
            // to the disk when someone waits to hear that their request is safe.
            FlushAll(toDisk: _awaitingDisk.Count > 0);
            ReportWritten();
        }

        foreach (var signal in Enum.GetValues<OtlpSignal>())
        {
            ReportDrops(signal);
        }

        foreach (var file in _files)
        {
            try
            {
                file.Dispose();
            }
            catch (IOException e)
            {
                LogCloseFailed(_logger, file.ActivePath, e);
            }
        }
    }

    private void Export(WorkItem item)
    {
        var result = WriteGuarded(item);
        if (result == ExportResult.Delivered && item.Completed is not null)
        {
            // Counted and reported once the line is on disk.
            _awaitingDisk.Add(item);
            return;
        }

        if (result == ExportResult.Delivered)
        {
            _metrics.Exported(item.Signal, item.ItemCount);
        }

        item.Completed?.Invoke(result);
    }

    private void ReportWritten()
    {
        foreach (var item in _awaitingDisk)
        {
            _metrics.Exported(item.Signal, item.ItemCount);
            item.Completed!(ExportResult.Delivered);
        }

        _awaitingDisk.Clear();
    }

    // A failed write or flush abandons the file's stream with whatever it buffered, so lines of that signal still
    // waiting for the disk are not known to be safe: their callers hear so and keep their copies.
    private void AbandonAwaiting(OtlpSignal signal)
    {
        for (var i = 0; i < _awaitingDisk.Count; i++)
        {
            var item = _awaitingDisk[i];
            if (item.Signal == signal)
            {
                Lost(item);
                item.Completed!(ExportResult.Abandoned);
            }
        }

        _awaitingDisk.RemoveAll(item => item.Signal == signal);
    }

    private void Lost(WorkItem item)
    {
        if (item.Durable)
        {
            _metrics.Returned(item.Signal, item.ItemCount);
            return;
        }

        _metrics.Dropped(item.Signal, item.ItemCount);
        var failures = _failures[(int)item.Signal];
        failures.DroppedItems += item.ItemCount;
        failures.DroppedRequests++;
    }

    private ExportResult WriteGuarded(WorkItem item)
    {
        try
        {
            return Write(item);
        }
        catch (Exception e)
        {
            // The loop must outlive any one request: if it died, every later flush would wait forever.
            LogUnexpectedFailure(_logger, item.ItemCount, item.Signal.ItemName(), e);
            Lost(item);
            WriteFailed(item.Signal, $"unexpected {e.GetType().Name}: {e.Message}", e);
            return ExportResult.Abandoned;
        }
    }

    private ExportResult Write(WorkItem item)
    {
        IMessage request;
        try
        {
            request = Decode(item.Signal, item.Request.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            // Bad input rather than a failing file: a drop, but no reason to call the exporter unhealthy.
            _metrics.Attempted(item.Signal, ExportOutcome.Permanent);
            _metrics.Dropped(item.Signal, item.ItemCount);
            LogUndecodable(_logger, item.ItemCount, item.Signal.ItemName(), e);
            return ExportResult.Refused;
        }

        _line.ResetWrittenCount();
        _json.Reset();
        OtlpJson.Format(request, _json);
        _json.Flush();
        _line.GetSpan(1)[0] = (byte)'\n';
        _line.Advance(1);

        var file = _files[(int)item.Signal];
        try
        {
            file.Write(_line.WrittenSpan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file.Abandon();
            Lost(item);
            WriteFailed(item.Signal, e.Message, e);
            return ExportResult.Abandoned;
        }

        WriteSucceeded(item.Signal);
        return ExportResult.Delivered;
    }

    private void FlushAll(bool toDisk)
    {
        foreach (var signal in Enum.GetValues<OtlpSignal>())
        {
            var file = _files[(int)signal];
            try
            {
                file.Flush(toDisk);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogFlushFailed(_logger, file.ActivePath, e);
                file.Abandon();
                WriteFailed(signal, e.Message, e);
            }
        }
    }

#pragma warning disable CA1873 // Formatting durations costs little next to a failed write, and these lines are rate-limited.
    private void WriteSucceeded(OtlpSignal signal)
    {
        _metrics.Attempted(signal, ExportOutcome.Success);
        Health.RecordSuccess(signal);
        var failures = _failures[(int)signal];
        if (failures.Log.Succeeded() is { } recovered)
        {
            ReportDrops(signal);
            LogRecovered(_logger, FileName(signal), _files[(int)signal].ActivePath, DurationText.Format(recovered.FailingFor), recovered.FailedAttempts);
        }
    }

    // Logged at once after a healthy period, then at most once per failure-log-interval, with the drops since.
    // The failed request itself is already counted (Lost) so that its drop is reported with this line.
    private void WriteFailed(OtlpSignal signal, string error, Exception exception)
    {
        _metrics.Attempted(signal, ExportOutcome.Retryable);
        Health.RecordFailure(signal, error);
        AbandonAwaiting(signal);
        var failures = _failures[(int)signal];
        failures.LastError = error;
        if (failures.Log.Failed() is not { } report)
        {
            return;
        }

        var path = _files[(int)signal].ActivePath;
        if (report.First)
        {
            LogStartedFailing(_logger, FileName(signal), path, error, exception);
        }
        else
        {
            LogStillFailing(_logger, FileName(signal), path, DurationText.Format(report.FailingFor), report.FailedAttempts, DurationText.Format(report.Period), error);
        }

        ReportDrops(signal);
    }
#pragma warning restore CA1873

    // The drops collected since the last drop line: reported with each failure line, on recovery and at the end, so
    // that a disk that stays full costs one drop line per interval rather than one per request.
    private void ReportDrops(OtlpSignal signal)
    {
        var failures = _failures[(int)signal];
        if (failures.DroppedRequests == 0)
        {
            return;
        }

        LogDropped(_logger, failures.DroppedItems, signal.ItemName(), failures.DroppedRequests, _files[(int)signal].ActivePath, failures.LastError ?? "(unknown)");
        failures.DroppedItems = 0;
        failures.DroppedRequests = 0;
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Error, Message = "Dropped {ItemCount} {ItemName}: the request is not valid protobuf")]
    private static partial void LogUndecodable(ILogger logger, int itemCount, string itemName, Exception exception);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning, Message = "File export of {Signal} to {Path} is failing: {LastError}")]
    private static partial void LogStartedFailing(ILogger logger, string signal, string path, string lastError, Exception exception);

    [LoggerMessage(EventId = 62, Level = LogLevel.Warning,
        Message = "File export of {Signal} to {Path} still failing after {FailingFor}: {FailedWrites} writes failed in the last {Period}; last error: {LastError}")]
    private static partial void LogStillFailing(ILogger logger, string signal, string path, string failingFor, int failedWrites, string period, string lastError);

    [LoggerMessage(EventId = 63, Level = LogLevel.Error, Message = "Dropped {ItemCount} {ItemName} ({RequestCount} requests) that could not be written to {Path}: {LastError}")]
    private static partial void LogDropped(ILogger logger, long itemCount, string itemName, int requestCount, string path, string lastError);

    [LoggerMessage(EventId = 64, Level = LogLevel.Information, Message = "File export of {Signal} to {Path} succeeds again after {FailingFor} of failures ({FailedWrites} failed writes)")]
    private static partial void LogRecovered(ILogger logger, string signal, string path, string failingFor, long failedWrites);

    [LoggerMessage(EventId = 65, Level = LogLevel.Error, Message = "File exporter could not flush {Path}; lines written since its last flush may be lost")]
    private static partial void LogFlushFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 66, Level = LogLevel.Error, Message = "File exporter failed unexpectedly on a request of {ItemCount} {ItemName}")]
    private static partial void LogUnexpectedFailure(ILogger logger, int itemCount, string itemName, Exception exception);

    [LoggerMessage(EventId = 67, Level = LogLevel.Error, Message = "File exporter could not close {Path}")]
    private static partial void LogCloseFailed(ILogger logger, string path, Exception exception);

    /// <summary>One signal's failure reporting: when to log, and the drops not yet reported.</summary>
    private sealed class SignalFailures(ExportFailureLog log)
    {
        public ExportFailureLog Log { get; } = log;

        public long DroppedItems { get; set; }

        public int DroppedRequests { get; set; }

        public string? LastError { get; set; }
    }

    /// <summary>A request to write, or, with <see cref="FlushDone"/> set, a flush marker.</summary>
    private readonly record struct WorkItem(OtlpSignal Signal, ReadOnlyMemory<byte> Request, int ItemCount, TaskCompletionSource? FlushDone, Action<ExportResult>? Completed = null, bool Durable = false);
}
