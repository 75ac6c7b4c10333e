using System.CommandLine;
using System.Globalization;
using OtelTailSampler.LoadGen;

namespace OtelTailSampler.Cli;

/// <summary>
/// `otel-sampler loadgen`: the project's telemetrygen. Sends generated OTLP traffic to one or several
/// endpoints, prints a progress line a second on standard error and a summary on standard output.
/// </summary>
internal static class LoadGenCommand
{
    private static readonly TrafficOptions Defaults = new();

    public static Command Create()
    {
        var endpoint = new Option<IReadOnlyList<Uri>>("--endpoint", "-e")
        {
            Description = "Target URL(s), comma-separated; batches go round-robin. gRPC: http://host:4317; HTTP: http://host:4318 (/v1/traces etc. is appended).",
            Required = true,
            CustomParser = CliParsers.Endpoints,
        };
        var protocol = new Option<LoadGenProtocol>("--protocol", "-p")
        {
            Description = "grpc (OTLP/gRPC, HTTP/2 prior knowledge; the default) or http (OTLP/HTTP protobuf).",
            HelpName = "grpc|http",
            CustomParser = CliParsers.Protocol,
        };
        var rate = new Option<double?>("--rate", "-r")
        {
            Description = "Spans per second, open loop (latency counts from when a batch was due). Without it: as fast as the target acknowledges.",
            CustomParser = result => CliParsers.Number(0.001, 1e9)(result),
        };
        var duration = new Option<TimeSpan>("--duration", "-d")
        {
            Description = "How long to send (500ms, 30s, 2m; default 60s, or no limit with --batches); requests in flight at the end still finish.",
            CustomParser = CliParsers.Duration,
        };
        var batches = new Option<long?>("--batches") { Description = "Stop after this many batches (each: a traces request, its logs, and every few batches a metrics request)." };
        var seed = new Option<long>("--seed", "-s") { Description = "Fixes the traffic: the same seed (and --start-time) sends the same bytes.", DefaultValueFactory = _ => 1 };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Batches in flight at once, each on its own connection.", DefaultValueFactory = _ => 8 };
        var gzip = new Option<bool>("--gzip") { Description = "Gzip request bodies." };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "Deadline of one attempt (default 10s).", CustomParser = CliParsers.Duration };
        var attempts = new Option<int>("--max-attempts") { Description = "Attempts per request; pushed-back (429/503/UNAVAILABLE) and unanswered ones are retried.", DefaultValueFactory = _ => 5 };
        var services = new Option<int>("--services") { Description = "Services in the generated system.", DefaultValueFactory = _ => Defaults.Services };
        var depth = new Option<int>("--max-depth") { Description = "Deepest span nesting in a trace.", DefaultValueFactory = _ => Defaults.MaxDepth };
        var fanOut = new Option<int>("--max-fan-out") { Description = "Most children of one span.", DefaultValueFactory = _ => Defaults.MaxFanOut };
        var maxSpans = new Option<int>("--max-spans-per-trace") { Description = "Most spans in one trace.", DefaultValueFactory = _ => Defaults.MaxSpansPerTrace };
        var errorShare = new Option<double>("--error-share") { Description = "Share of traces with a failed span (0 to 1).", DefaultValueFactory = _ => Defaults.ErrorShare, CustomParser = result => CliParsers.Number(0, 1)(result) };
        var slowShare = new Option<double>("--slow-share") { Description = "Share of traces lasting at least --slow-threshold (0 to 1).", DefaultValueFactory = _ => Defaults.SlowShare, CustomParser = result => CliParsers.Number(0, 1)(result) };
        var slowThreshold = new Option<TimeSpan>("--slow-threshold") { Description = "Duration of slow traces, at least; others last under half of it (default 1s).", CustomParser = CliParsers.Duration };
        var cardinality = new Option<int>("--attribute-cardinality") { Description = "Distinct values of the high-cardinality attributes (enduser.id, IDs in url.path).", DefaultValueFactory = _ => Defaults.AttributeCardinality };
        var logs = new Option<double>("--logs-per-span") { Description = "Mean log records per span, each with its span's trace context; 0 sends none.", DefaultValueFactory = _ => Defaults.LogsPerSpan, CustomParser = result => CliParsers.Number(0, 100)(result) };
        var series = new Option<int>("--metric-series") { Description = "Metric series (sums, gauges, histograms); 0 sends no metrics.", DefaultValueFactory = _ => Defaults.MetricSeries };
        var metricsEvery = new Option<int>("--metrics-every") { Description = "Send a metrics request (one point per series) every this many batches.", DefaultValueFactory = _ => Defaults.MetricsEveryBatches };
        var spansPerRequest = new Option<int>("--spans-per-request") { Description = "Spans per traces request, at least (whole traces are added until it is reached).", DefaultValueFactory = _ => Defaults.SpansPerRequest };
        var startTime = new Option<DateTimeOffset?>("--start-time") { Description = "Timestamp of the first batch (ISO 8601); default: now. Give it to repeat a run byte for byte." };

        var command = new Command("loadgen", "Send generated OTLP traffic (traces over several services, logs with trace context, metrics) and report throughput and ack latency.");
        foreach (var option in new Option[]
        {
            endpoint, protocol, rate, duration, batches, seed, concurrency, gzip, timeout, attempts, services, depth, fanOut, maxSpans,
            errorShare, slowShare, slowThreshold, cardinality, logs, series, metricsEvery, spansPerRequest, startTime,
        })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            var spansPerBatch = parse.GetValue(spansPerRequest);
            var spanRate = parse.GetValue(rate);
            var traffic = new TrafficOptions
            {
                Services = parse.GetValue(services),
                MaxDepth = parse.GetValue(depth),
                MaxFanOut = parse.GetValue(fanOut),
                MaxSpansPerTrace = parse.GetValue(maxSpans),
                ErrorShare = parse.GetValue(errorShare),
                SlowShare = parse.GetValue(slowShare),
                SlowThreshold = parse.ValueOr(slowThreshold, Defaults.SlowThreshold),
                AttributeCardinality = parse.GetValue(cardinality),
                LogsPerSpan = parse.GetValue(logs),
                MetricSeries = parse.GetValue(series),
                MetricsEveryBatches = parse.GetValue(metricsEvery),
                SpansPerRequest = spansPerBatch,
                StartTime = parse.GetValue(startTime) ?? DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),

                // Timestamps advance as fast as the batches are meant to go out.
                BatchTimeStep = spanRate is { } r ? TimeSpan.FromSeconds(Math.Min(spansPerBatch / r, 3600)) : new TrafficOptions().BatchTimeStep,
            };
            var batchLimit = parse.GetValue(batches);
            var options = new LoadGenOptions
            {
                Endpoints = parse.GetRequiredValue(endpoint),
                Protocol = parse.ValueOr(protocol, LoadGenProtocol.Grpc),
                Rate = spanRate,
                Duration = batchLimit is not null && parse.GetResult(duration) is null ? null : parse.ValueOr(duration, TimeSpan.FromSeconds(60)),
                MaxBatches = batchLimit,
                Seed = parse.GetValue(seed),
                Concurrency = parse.GetValue(concurrency),
                Gzip = parse.GetValue(gzip),
                Timeout = parse.ValueOr(timeout, TimeSpan.FromSeconds(10)),
                MaxAttempts = parse.GetValue(attempts),
                Traffic = traffic,
            };
            return RunAsync(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(LoadGenOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"otel-sampler loadgen: {e.Message}");
            return 2;
        }

        using var generator = new LoadGenerator(options);
        LoadGenSummary summary;
        using (new ProgressReporter(generator.Progress, error, TimeProvider.System, overwrite: ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected))
        {
            summary = await generator.RunAsync(cancellationToken);
        }

        await output.WriteAsync(summary.Format());
        if (!summary.AllAcknowledged)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"otel-sampler loadgen: {summary.Spans.Sent - summary.Spans.Acknowledged:N0} spans, {summary.LogRecords.Sent - summary.LogRecords.Acknowledged:N0} log records and {summary.DataPoints.Sent - summary.DataPoints.Acknowledged:N0} data points were not acknowledged."));
            return 1;
        }

        return 0;
    }
}
