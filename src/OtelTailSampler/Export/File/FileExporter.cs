using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Json;

namespace OtelTailSampler.Export.File;

/// <summary>
/// Writes accepted telemetry to local files when no OTLP backend is configured, in the OTLP file exporter
/// format: one OTLP JSON request per line, one file per signal (traces.jsonl, metrics.jsonl, logs.jsonl), rotated
/// by size. A single background loop does all file work, so the node's request path only enqueues; write
/// failures are logged and the data dropped, never thrown at the node.
/// </summary>
public sealed partial class FileExporter : ITelemetryExporter
{
    private readonly ILogger<FileExporter> _logger;
    private readonly Channel<WorkItem> _queue;
    private readonly List<Action<ExportResult>> _awaitingDisk = [];
    private readonly RotatingFile[] _files;
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly Utf8JsonWriter _json;
    private readonly Task _writerLoop;
    private int _disposed;

    public FileExporter(FileExporterOptions options, ILogger<FileExporter> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFileBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFiles, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1);

        _logger = logger;
        timeProvider ??= TimeProvider.System;
        Health = new ExporterHealth(options.UnhealthyAfter, timeProvider);
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
                    var result = WriteGuarded(item);
                    if (item.Completed is { } completed)
                    {
                        if (result == ExportResult.Delivered)
                        {
                            _awaitingDisk.Add(completed);
                        }
                        else
                        {
                            completed(result);
                        }
                    }
                }
            }

            // The queue ran dry: hand buffered lines to the OS so that anyone tailing the files sees them, and
            // to the disk when someone waits to hear that their request is safe.
            FlushAll(toDisk: _awaitingDisk.Count > 0);
            ReportWritten();
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

    private void ReportWritten()
    {
        foreach (var completed in _awaitingDisk)
        {
            completed(ExportResult.Delivered);
        }

        _awaitingDisk.Clear();
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
            return ExportResult.Delivered;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, item.ItemCount, item.Signal.ItemName(), file.ActivePath, e);
            file.Abandon();
            return ExportResult.Abandoned;
        }
    }

    private void FlushAll(bool toDisk)
    {
        foreach (var file in _files)
        {
            try
            {
                file.Flush(toDisk);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogFlushFailed(_logger, file.ActivePath, e);
                file.Abandon();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "File exporter dropped a request of {ItemCount} {ItemName} that is not valid protobuf")]
    private static partial void LogUndecodable(ILogger logger, int itemCount, string itemName, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "File exporter could not write {ItemCount} {ItemName} to {Path}; they are dropped")]
    private static partial void LogWriteFailed(ILogger logger, int itemCount, string itemName, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "File exporter could not flush {Path}; lines not yet on disk may be lost")]
    private static partial void LogFlushFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "File exporter failed on a request of {ItemCount} {ItemName}; it is dropped")]
    private static partial void LogUnexpectedFailure(ILogger logger, int itemCount, string itemName, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "File exporter could not close {Path}")]
    private static partial void LogCloseFailed(ILogger logger, string path, Exception exception);

    /// <summary>A request to write, or, with <see cref="FlushDone"/> set, a flush marker.</summary>
    private readonly record struct WorkItem(OtlpSignal Signal, ReadOnlyMemory<byte> Request, int ItemCount, TaskCompletionSource? FlushDone, Action<ExportResult>? Completed = null, bool Durable = false);
}
