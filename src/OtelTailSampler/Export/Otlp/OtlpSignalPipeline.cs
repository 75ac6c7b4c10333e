using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Configuration;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// The queue and batching loop of one signal. A single loop reads the bounded queue, gathers requests until the
/// batch is full or <see cref="OtlpExporterOptions.BatchDelay"/> passed since its first request (sooner when a
/// flush or stop asks), concatenates them into one request and sends it, retrying as OTLP allows. One batch is
/// in flight at a time, so a failing backend fills the queue and pushes back on the callers.
/// </summary>
internal sealed class OtlpSignalPipeline : IDisposable
{
    private readonly OtlpSignal _signal;
    private readonly string _itemName;
    private readonly OtlpExporterOptions _options;
    private readonly IOtlpSender _sender;
    private readonly ExporterMetrics _metrics;
    private readonly ExporterHealth _health;
    private readonly ExportFailureLog _failures;
    private readonly string _signalName;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly Channel<QueuedRequest> _queue;
    private readonly CancellationTokenSource _abandon = new();
    private readonly object _gate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushWaiters = [];
    private readonly Task _loop;
    private TaskCompletionSource _wake = NewSignal();
    private long _enqueued;
    private long _completed; // under _gate: requests delivered or given up
    private long _flushTarget; // under _gate: the highest _enqueued a flush waits for
    private volatile bool _stopping;

    public OtlpSignalPipeline(
        OtlpSignal signal,
        OtlpExporterOptions options,
        IOtlpSender sender,
        ExporterMetrics metrics,
        ExporterHealth health,
        ILogger logger,
        TimeProvider timeProvider,
        Func<double> random)
    {
        _signal = signal;
        _itemName = signal.ItemName();
        _options = options;
        _sender = sender;
        _metrics = metrics;
        _health = health;
        _failures = new ExportFailureLog(options.FailureLogInterval, timeProvider);
        _signalName = signal.ToString().ToLowerInvariant();
        _logger = logger;
        _time = timeProvider;
        _random = random;
        _queue = Channel.CreateBounded<QueuedRequest>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping anything
        });
        _loop = Task.Run(RunAsync);
    }

    public bool TryEnqueue(ReadOnlyMemory<byte> request, int itemCount, Action<ExportResult>? completed = null, bool durable = false)
    {
        if (request.IsEmpty)
        {
            completed?.Invoke(ExportResult.Delivered);
            return true; // nothing to deliver: never send an empty request
        }

        if (!_queue.Writer.TryWrite(new QueuedRequest(request, itemCount, completed, durable)))
        {
            return false;
        }

        // Counted after the write, so whatever a flush counts is already readable by the loop.
        Interlocked.Increment(ref _enqueued);
        return true;
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _enqueued);
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_completed >= target)
            {
                return Task.CompletedTask;
            }

            _flushWaiters.Add((target, waiter));
            _flushTarget = Math.Max(_flushTarget, target);
        }

        Wake();
        return waiter.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Refuses new requests, sends what is queued without waiting for the batch delay, and completes when the loop
    /// ended. Once <paramref name="cancellationToken"/> fires, batches still waiting or retrying are given up on.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        Wake();
        using (cancellationToken.Register(static state => ((OtlpSignalPipeline)state!).Abandon(), this))
        {
            await _loop.ConfigureAwait(false);
        }
    }

    /// <summary>Call after <see cref="StopAsync"/> completed.</summary>
    public void Dispose() => _abandon.Dispose();

    // Not under a lock: cancelling runs the abandoned send's continuations, which may run inline.
    private void Abandon()
    {
        try
        {
            _abandon.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A late stop token after the exporter was disposed: nothing left to abandon.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Completes the current wake signal and installs a fresh one; a loop that took the old one before checking
    // its conditions therefore never misses a wake-up.
    private void Wake() => Interlocked.Exchange(ref _wake, NewSignal()).TrySetResult();

    private bool ShouldSendNow()
    {
        if (_options.BatchDelay == TimeSpan.Zero || _stopping)
        {
            return true;
        }

        lock (_gate)
        {
            return _flushTarget > _completed;
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<QueuedRequest>();
        QueuedRequest? carried = null;
        Task<bool>? readable = null;

        while (true)
        {
            if (carried is { } first)
            {
                carried = null;
            }
            else if (!reader.TryRead(out first))
            {
                readable ??= reader.WaitToReadAsync().AsTask();
                var more = await readable.ConfigureAwait(false);
                readable = null;
                if (!more)
                {
                    return; // stopped and drained
                }

                continue;
            }

            batch.Add(first);
            var items = first.ItemCount;
            var bytes = first.Bytes.Length;

            // Gather until the batch is full; wait (for data, the delay, a flush or a stop) only when the queue is empty.
            using (var delayCancellation = new CancellationTokenSource())
            {
                Task? delay = null;
                var due = false;
                while (!IsFull(items, bytes))
                {
                    if (reader.TryRead(out var next))
                    {
                        if (!Fits(items, bytes, next))
                        {
                            carried = next;
                            break;
                        }

                        batch.Add(next);
                        items += next.ItemCount;
                        bytes += next.Bytes.Length;
                        continue;
                    }

                    var wake = Volatile.Read(ref _wake).Task;
                    if (due || ShouldSendNow())
                    {
                        break;
                    }

                    delay ??= Task.Delay(_options.BatchDelay, _time, delayCancellation.Token);
                    readable ??= reader.WaitToReadAsync().AsTask();
                    var woke = await Task.WhenAny(readable, delay, wake).ConfigureAwait(false);
                    if (readable.IsCompleted)
                    {
                        var more = await readable.ConfigureAwait(false);
                        readable = null;
                        if (!more)
                        {
                            break; // stopped: send what we have
                        }
                    }

                    // Take whatever is queued already, then send.
                    due |= woke == delay;
                }

                // Disarm the batch timer before sending, so that a retry's backoff is the only timer armed.
                await delayCancellation.CancelAsync().ConfigureAwait(false);
            }

            await ExportAsync(batch, items, bytes).ConfigureAwait(false);
            Complete(batch.Count);
            batch.Clear();
        }
    }

    private bool IsFull(int items, int bytes) =>
        (_options.BatchMaxItems > 0 && items >= _options.BatchMaxItems)
        || (_options.BatchMaxBytes > 0 && bytes >= _options.BatchMaxBytes);

    private bool Fits(int items, int bytes, QueuedRequest next) =>
        (_options.BatchMaxItems == 0 || items + next.ItemCount <= _options.BatchMaxItems)
        && (_options.BatchMaxBytes == 0 || bytes + next.Bytes.Length <= _options.BatchMaxBytes);

    private void Complete(int requests)
    {
        List<TaskCompletionSource>? done = null;
        lock (_gate)
        {
            _completed += requests;
            for (var i = _flushWaiters.Count - 1; i >= 0; i--)
            {
                if (_flushWaiters[i].Target <= _completed)
                {
                    (done ??= []).Add(_flushWaiters[i].Done);
                    _flushWaiters.RemoveAt(i);
                }
            }
        }

        done?.ForEach(waiter => waiter.TrySetResult());
    }

    private async Task ExportAsync(List<QueuedRequest> batch, int items, int bytes)
    {
        try
        {
            using var payload = OtlpPayload.Build(batch, bytes, _options.Compression == OtlpExportCompression.Gzip);
            Report(batch, await SendWithRetriesAsync(payload, batch, items).ConfigureAwait(false));
        }
#pragma warning disable CA1031 // The loop must survive anything one batch throws, or flushes would hang and the queue fill.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OtlpExporterLog.Crashed(_logger, ex, items, _itemName);
            _health.RecordFailure(_signal, $"unexpected {ex.GetType().Name}: {ex.Message}");
            GiveUp(batch, "the exporter failed unexpectedly");
            Report(batch, ExportResult.Abandoned);
        }
    }

    private static void Report(List<QueuedRequest> batch, ExportResult result)
    {
        foreach (var request in batch)
        {
            request.Completed?.Invoke(result);
        }
    }

    private async Task<ExportResult> SendWithRetriesAsync(OtlpPayload payload, List<QueuedRequest> batch, int items)
    {
        var abandon = _abandon.Token;
        var started = _time.GetTimestamp();
        ExponentialBackoff? backoff = null;
        while (true)
        {
            ExportAttemptResult result;
            try
            {
                abandon.ThrowIfCancellationRequested();
                result = await _sender.SendAsync(_signal, payload, abandon).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                GiveUp(batch, "the exporter stopped before they were delivered");
                return ExportResult.Abandoned;
            }

            _metrics.Attempted(_signal, result.Outcome);
            if (result.Outcome == ExportOutcome.Success)
            {
                Succeeded(result, items);
                return ExportResult.Delivered;
            }

            _health.RecordFailure(_signal, result.Detail);
            if (result.Outcome == ExportOutcome.Permanent)
            {
                // The backend said no: a real drop whoever else keeps a copy, and logged as one each time.
                Drop(items, batch.Count, $"{result.Detail} (not retryable)");
                return ExportResult.Refused;
            }

            if (!_options.RetryEnabled)
            {
                Failed(result.Detail, $"not retrying {items} {_itemName}: retry is disabled");
                GiveUp(batch, $"{result.Detail} (retry disabled)");
                return ExportResult.Abandoned;
            }

            // The backoff sequence advances even when the server names the delay, as in the Collector.
            backoff ??= ExponentialBackoff.From(_options, _random);
            var delay = backoff.Next();
            if (result.RetryAfter is { } asked && asked > TimeSpan.Zero)
            {
                delay = asked;
            }

            var elapsed = _time.GetElapsedTime(started);
            if (_options.RetryMaxElapsedTime > TimeSpan.Zero && elapsed + delay > _options.RetryMaxElapsedTime)
            {
                var why = $"retrying in {DurationText.Format(delay)} would pass the max elapsed time of {DurationText.Format(_options.RetryMaxElapsedTime)}";
                Failed(result.Detail, $"gave up on {items} {_itemName} after {DurationText.Format(elapsed)}: {why}");
                GiveUp(batch, $"{result.Detail}; {why}");
                return ExportResult.Abandoned;
            }

            _metrics.Retried(_signal);
            Failed(result.Detail, $"retrying {items} {_itemName} in {DurationText.Format(delay)}");
            try
            {
                await Task.Delay(delay, _time, abandon).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                GiveUp(batch, $"{result.Detail}; the exporter stopped while waiting to retry");
                return ExportResult.Abandoned;
            }
        }
    }

    private void Succeeded(ExportAttemptResult result, int items)
    {
        _health.RecordSuccess(_signal);
        LogRecovered();

        var rejected = Math.Clamp(result.RejectedItems, 0, items);
        _metrics.Exported(_signal, items - rejected);
        if (rejected > 0)
        {
            _metrics.Dropped(_signal, rejected);
            OtlpExporterLog.PartiallyRejected(_logger, rejected, items, _itemName, result.PartialSuccessMessage ?? "(no message)");
        }
        else if (result.PartialSuccessMessage is { } warning)
        {
            OtlpExporterLog.AcceptedWithWarning(_logger, items, _itemName, warning);
        }
    }

#pragma warning disable CA1873 // Formatting durations costs little next to a failed network attempt, and these lines are rate-limited.
    private void LogRecovered()
    {
        if (_failures.Succeeded() is { } recovered)
        {
            OtlpExporterLog.Recovered(_logger, _signalName, DurationText.Format(recovered.FailingFor), recovered.FailedAttempts);
        }
    }

    // A retryable failure: logged at once after a healthy period, then at most once per failure-log-interval.
    private void Failed(string error, string nextStep)
    {
        if (_failures.Failed() is not { } report)
        {
            return;
        }

        if (report.First)
        {
            OtlpExporterLog.StartedFailing(_logger, _signalName, error, nextStep);
        }
        else
        {
            OtlpExporterLog.StillFailing(_logger, _signalName, DurationText.Format(report.FailingFor), report.FailedAttempts,
                DurationText.Format(report.Period), error, nextStep);
        }
    }
#pragma warning restore CA1873

    // Giving up is a loss only for requests nobody else keeps; durable ones go back to their caller, and the failure
    // lines (or, at shutdown, the node's own summary) say so, not a drop line per batch.
    private void GiveUp(List<QueuedRequest> batch, string reason)
    {
        int droppedItems = 0, droppedRequests = 0, returnedItems = 0;
        foreach (var request in batch)
        {
            if (request.Durable)
            {
                returnedItems += request.ItemCount;
            }
            else
            {
                droppedItems += request.ItemCount;
                droppedRequests++;
            }
        }

        _metrics.Returned(_signal, returnedItems);
        if (droppedRequests > 0)
        {
            Drop(droppedItems, droppedRequests, reason);
        }
    }

    private void Drop(int items, int requests, string reason)
    {
        _metrics.Dropped(_signal, items);
        OtlpExporterLog.GaveUp(_logger, items, _itemName, requests, _signalName, reason);
    }
}
