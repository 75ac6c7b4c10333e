using System.Collections.Concurrent;
using System.Net;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// Sends generated OTLP traffic to one or several endpoints (round-robin by batch) and accounts for every item:
/// acknowledged, rejected or failed, never dropped unseen. Either open loop at a fixed span rate, or closed
/// loop as fast as the targets acknowledge with a fixed number of batches in flight. Pushed-back requests
/// (429, 503, UNAVAILABLE) and unanswered ones are retried with backoff, honouring Retry-After.
/// </summary>
public sealed class LoadGenerator : IDisposable
{
    private const int MaxProblemKinds = 20;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(10);

    private readonly LoadGenOptions _options;
    private readonly TimeProvider _time;
    private readonly TrafficModel _model;
    private readonly HttpClient[] _clients;
    private readonly ILoadSender[][] _senders;
    private readonly SignalCounters[] _counters = [new(), new(), new()];
    private readonly LatencyHistogram _latency = new();
    private readonly ConcurrentDictionary<string, long> _problems = new();
    private long _nextBatch;
    private long _retries;
    private int _inFlight;
    private long _startTimestamp;

    public LoadGenerator(LoadGenOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _model = new TrafficModel(options.Seed, options.Traffic);

        // One connection pool per concurrent slot: many clients, as a sampler sees in production, rather than
        // every request multiplexed on a single HTTP/2 connection.
        _clients = [.. Enumerable.Range(0, options.Concurrency).Select(_ => CreateClient(options))];
        _senders = [.. _clients.Select(client => options.Endpoints.Select(endpoint => CreateSender(client, endpoint)).ToArray())];
    }

    /// <summary>The live figures of the run, for a progress line.</summary>
    public LoadGenProgress Progress()
    {
        var start = Interlocked.Read(ref _startTimestamp);
        var spans = _counters[(int)OtlpSignal.Traces];
        return new LoadGenProgress(
            start == 0 ? TimeSpan.Zero : _time.GetElapsedTime(start),
            spans.Sent,
            spans.Acknowledged,
            _counters.Sum(c => c.Rejected),
            _counters.Sum(c => c.Failed),
            Interlocked.Read(ref _retries),
            Volatile.Read(ref _inFlight),
            _latency.Percentile(50),
            _latency.Percentile(99));
    }

    /// <summary>
    /// Runs until the duration has passed or the batch limit is reached, then waits for what is in flight.
    /// Cancelling stops at once: requests in flight are counted as failed.
    /// </summary>
    public async Task<LoadGenSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _startTimestamp, _time.GetTimestamp(), 0) != 0)
        {
            throw new InvalidOperationException("A load generator runs once.");
        }

        var start = Interlocked.Read(ref _startTimestamp);
        using var stop = _options.Duration is { } duration ? new CancellationTokenSource(duration, _time) : new CancellationTokenSource();
        if (_options.Rate is { } rate)
        {
            await OpenLoopAsync(rate, start, stop.Token, cancellationToken);
        }
        else
        {
            await Task.WhenAll(Enumerable.Range(0, _options.Concurrency)
                .Select(slot => Task.Run(() => ClosedLoopAsync(slot, stop.Token, cancellationToken), CancellationToken.None)));
        }

        return Summary(_time.GetElapsedTime(start));
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    private async Task ClosedLoopAsync(int slot, CancellationToken stop, CancellationToken cancellationToken)
    {
        using var generator = new TrafficGenerator(_model);
        while (!stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var index = Interlocked.Increment(ref _nextBatch) - 1;
            if (_options.MaxBatches is { } max && index >= max)
            {
                return;
            }

            using var batch = generator.Generate(index);
            await SendBatchAsync(batch, _senders[slot][index % _options.Endpoints.Count], dueTimestamp: null, cancellationToken);
        }
    }

    private async Task OpenLoopAsync(double rate, long start, CancellationToken stop, CancellationToken cancellationToken)
    {
        using var generator = new TrafficGenerator(_model);
        using var slots = new SemaphoreSlim(_options.Concurrency);
        using var stopOrCancel = CancellationTokenSource.CreateLinkedTokenSource(stop, cancellationToken);
        var inFlight = new List<Task>();
        double spansScheduled = 0;
        for (long index = 0; _options.MaxBatches is not { } max || index < max; index++)
        {
            var batch = generator.Generate(index);
            var due = start + (long)(spansScheduled / rate * _time.TimestampFrequency);
            spansScheduled += batch.Spans;
            try
            {
                var wait = due - _time.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait / (double)_time.TimestampFrequency), _time, stopOrCancel.Token);
                }

                // When the targets fall behind, batches wait here for a slot; their latency counts from the due time.
                await slots.WaitAsync(stopOrCancel.Token);
            }
            catch (OperationCanceledException)
            {
                batch.Dispose();
                break;
            }

            _ = Interlocked.Increment(ref _nextBatch);
            inFlight.Add(SendAndReleaseAsync(batch, _senders[index % _options.Concurrency][index % _options.Endpoints.Count], due, slots, cancellationToken));
            if (inFlight.Count >= 4 * _options.Concurrency)
            {
                inFlight.RemoveAll(task => task.IsCompleted);
            }
        }

        await Task.WhenAll(inFlight);
    }

    private async Task SendAndReleaseAsync(TrafficBatch batch, ILoadSender sender, long due, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            using (batch)
            {
                await SendBatchAsync(batch, sender, due, cancellationToken);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task SendBatchAsync(TrafficBatch batch, ILoadSender sender, long? dueTimestamp, CancellationToken cancellationToken)
    {
        foreach (var request in batch.Requests)
        {
            if (_options.Gzip)
            {
                using var compressed = request.Gzip();
                await SendRequestAsync(compressed, sender, dueTimestamp, cancellationToken);
            }
            else
            {
                await SendRequestAsync(request, sender, dueTimestamp, cancellationToken);
            }

            // Only the batch's first request waited for its due time.
            dueTimestamp = null;
        }
    }

    private async Task SendRequestAsync(LoadRequest request, ILoadSender sender, long? dueTimestamp, CancellationToken cancellationToken)
    {
        var counters = _counters[(int)request.Signal];
        counters.AddSent(request.Items);
        Interlocked.Increment(ref _inFlight);
        var started = dueTimestamp ?? _time.GetTimestamp();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    Failed(counters, request.Items, "the run was cancelled with the request in flight");
                    return;
                }

                SendResult result;
                try
                {
                    result = await sender.SendAsync(request, _options.Timeout, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    Failed(counters, request.Items, "the run was cancelled with the request in flight");
                    return;
                }

                switch (result.Outcome)
                {
                    case SendOutcome.Accepted:
                        var rejected = Math.Clamp(result.RejectedItems, 0, request.Items);
                        counters.AddAcknowledged(request.Items - rejected);
                        _latency.Record(_time.GetElapsedTime(started));
                        if (rejected > 0)
                        {
                            counters.AddRejected(rejected);
                            Note($"partial success: {result.Detail ?? "no message"}", rejected);
                        }

                        return;
                    case SendOutcome.Rejected:
                        counters.AddRejected(request.Items);
                        Note(result.Detail!, request.Items);
                        return;
                }

                if (attempt >= _options.MaxAttempts)
                {
                    var detail = $"{result.Detail} (after {attempt} attempts)";
                    if (result.Outcome == SendOutcome.Refused)
                    {
                        counters.AddRejected(request.Items);
                        Note(detail, request.Items);
                    }
                    else
                    {
                        Failed(counters, request.Items, detail);
                    }

                    return;
                }

                Interlocked.Increment(ref _retries);
                try
                {
                    await Task.Delay(RetryDelay(result, attempt), _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Failed(counters, request.Items, "the run was cancelled while a request waited to be retried");
                    return;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private TimeSpan RetryDelay(SendResult result, int attempt)
    {
        if (result.RetryAfter is { } asked)
        {
            return asked < MaxRetryAfter ? asked : MaxRetryAfter;
        }

        var backoff = _options.RetryBackoff * Math.Pow(2, attempt - 1);
        return backoff < MaxBackoff ? backoff : MaxBackoff;
    }

    private void Failed(SignalCounters counters, long items, string detail)
    {
        counters.AddFailed(items);
        Note(detail, items);
    }

    private void Note(string problem, long items)
    {
        if (_problems.Count < MaxProblemKinds || _problems.ContainsKey(problem))
        {
            _problems.AddOrUpdate(problem, items, (_, count) => count + items);
        }
    }

    private LoadGenSummary Summary(TimeSpan elapsed) => new()
    {
        Elapsed = elapsed,
        Protocol = _options.Protocol,
        Endpoints = _options.Endpoints.Count,
        Seed = _options.Seed,
        Rate = _options.Rate,
        Spans = _counters[(int)OtlpSignal.Traces].Totals(),
        LogRecords = _counters[(int)OtlpSignal.Logs].Totals(),
        DataPoints = _counters[(int)OtlpSignal.Metrics].Totals(),
        Retries = Interlocked.Read(ref _retries),
        AckLatencyP50 = _latency.Percentile(50),
        AckLatencyP99 = _latency.Percentile(99),
        AcknowledgedRequests = _latency.Count,
        Problems = [.. _problems.OrderByDescending(p => p.Value).Select(p => (p.Key, p.Value))],
    };

    private static HttpClient CreateClient(LoadGenOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.Timeout,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        return new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    private ILoadSender CreateSender(HttpClient client, Uri endpoint) => _options.Protocol == LoadGenProtocol.Grpc
        ? new GrpcLoadSender(client, endpoint, _time)
        : new HttpLoadSender(client, endpoint, _time);
}
