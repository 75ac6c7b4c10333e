using OtelTailSampler.Configuration;
using OtelTailSampler.LoadGen;
using OtelTailSampler.Pipeline;

namespace OtelTailSampler.Cli;

/// <summary>
/// The end-to-end benchmark: for each variant, a fresh node process whose exporter points at an in-process
/// discarding sink, loaded at the highest rate it acknowledges for a fixed time after a warm-up, with its CPU
/// and peak memory read from /proc; then one table, every variant as a ratio of the decode-only baseline.
/// </summary>
internal static class BenchRunner
{
    private const long WarmupSeedOffset = 1_000_003;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(BenchOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var machine = MachineInfo.Describe();
        await error.WriteLineAsync($"otel-sampler bench on {machine}");
        var root = Directory.CreateTempSubdirectory("otel-sampler-bench-").FullName;
        try
        {
            await using var sink = await DiscardingOtlpSink.StartAsync(cancellationToken);
            var results = new List<BenchResult>();
            foreach (var variant in options.Variants)
            {
                var result = await RunVariantAsync(variant, options, sink, Path.Combine(root, variant.Name), error, cancellationToken);
                if (result is null)
                {
                    return 1;
                }

                results.Add(result);
            }

            await output.WriteAsync(BenchTable.Format(results, options, machine));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<BenchResult?> RunVariantAsync(
        BenchVariant variant, BenchOptions options, DiscardingOtlpSink sink, string directory, TextWriter error, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        string? configFile = null;
        if (variant.Hocon.Length > 0)
        {
            configFile = Path.Combine(directory, "node.conf");
            await File.WriteAllTextAsync(configFile, variant.Hocon, cancellationToken);
        }

        var environment = new Dictionary<string, string>
        {
            ["SAMPLER_OTLP_GRPC_ENDPOINT"] = "127.0.0.1:0",
            ["SAMPLER_OTLP_HTTP_ENDPOINT"] = "127.0.0.1:0",
            ["SAMPLER_ADMIN_ENDPOINT"] = "127.0.0.1:0",
            ["SAMPLER_CLUSTER_ENDPOINT"] = "127.0.0.1:0",
            ["SAMPLER_DATA_DIR"] = Path.Combine(directory, "data"),
            ["SAMPLER_EXPORTER_ENDPOINT"] = sink.GrpcEndpoint.ToString(),
            ["SAMPLER_EXPORTER_PROTOCOL"] = "grpc",
        };
        foreach (var (key, value) in variant.Environment)
        {
            environment[key] = value;
        }

        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith("BENCH_NODE_", StringComparison.Ordinal))
            {
                environment[name["BENCH_NODE_".Length..]] = (string)entry.Value!;
            }
        }

        // The node's own configuration, read as it reads it: the memory probe buffers with the same settings.
        var loaded = SamplerConfiguration.Load(configFile, name => environment.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name));
        if (loaded.Errors.Count > 0)
        {
            await error.WriteLineAsync($"otel-sampler bench: variant {variant.Name} has an invalid configuration:");
            foreach (var problem in loaded.Errors)
            {
                await error.WriteLineAsync(problem.ToString());
            }

            return null;
        }

        await error.WriteLineAsync($"{variant.Name}: {variant.Description}");
        using var cluster = await BenchCluster.StartAsync(variant.Nodes, directory, environment, configFile, StartTimeout, cancellationToken);
        if (cluster.Failure is { } failure)
        {
            await error.WriteLineAsync($"otel-sampler bench: the {variant.Name} node did not start: {failure}");
            return null;
        }

        var load = new LoadGenOptions
        {
            Endpoints = [.. cluster.Nodes.Select(node => new Uri($"http://{node.Host}:{(options.Protocol == LoadGenProtocol.Grpc ? node.Grpc : node.Http)}"))],
            Protocol = options.Protocol,
            Seed = options.Seed,
            Concurrency = options.Concurrency,
            Gzip = options.Gzip,
        };

        if (options.Warmup > TimeSpan.Zero)
        {
            // Another seed: the measured run must not resend traces the node has already decided.
            using var warmup = new LoadGenerator(load with { Duration = options.Warmup, Seed = options.Seed + WarmupSeedOffset });
            await warmup.RunAsync(cancellationToken);
        }

        var linksBefore = await cluster.ReadLinksAsync(cancellationToken);
        var cpuBefore = cluster.CpuTime;
        LoadGenSummary summary;
        using (var generator = new LoadGenerator(load with { Duration = options.Duration }))
        using (new ProgressReporter(generator.Progress, error, TimeProvider.System, overwrite: ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected, variant.Name))
        {
            summary = await generator.RunAsync(cancellationToken);
        }

        var cpu = cluster.CpuTime - cpuBefore;
        var linksAfter = await cluster.ReadLinksAsync(cancellationToken);
        var seconds = Math.Max(summary.Elapsed.TotalSeconds, 1e-9);
        var links = linksAfter
            .Select(link => (link.Key, After: link.Value, Before: linksBefore.GetValueOrDefault(link.Key)))
            .Select(link => new BenchLink(link.Key.From, link.Key.To, (link.After.Spans - link.Before.Spans) / seconds, (link.After.Bytes - link.Before.Bytes) / seconds))
            .OrderBy(link => link.From, StringComparer.Ordinal).ThenBy(link => link.To, StringComparer.Ordinal)
            .ToList();
        LoadGenSummary? halfLoad = null;
        if (options.HalfLoad && summary.SpansPerSecond > 0)
        {
            // Acknowledgement latency where a node is meant to run: well below its limit, at half the rate it just
            // reached, open loop (a request's latency counts from when it was due), with traffic it has not seen.
            var rate = summary.SpansPerSecond / 2;
            await error.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{variant.Name}: half load, {rate:N0} spans/s"));
            using var generator = new LoadGenerator(load with { Duration = options.Duration, Rate = rate, Seed = options.Seed + 2 * WarmupSeedOffset });
            halfLoad = await generator.RunAsync(cancellationToken);
        }

        // Read while the node still runs: what the journal holds under steady load, before a stop checkpoints it.
        JournalFootprint? journal = null;
        if (loaded.Options!.PipelineMode == PipelineMode.Sample && variant.Nodes == 1)
        {
            try
            {
                journal = await JournalFootprint.ReadAsync(loaded.Options.Journal, cancellationToken);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or IOException)
            {
                await error.WriteLineAsync($"otel-sampler bench: could not read the {variant.Name} journal's size: {e.Message}");
            }
        }

        var peak = cluster.PeakResidentBytes;
        await cluster.StopAsync(StopTimeout);

        BufferMemoryResult? memory = null;
        if (loaded.Options!.PipelineMode == PipelineMode.Sample && options.MemorySpans > 0)
        {
            memory = await BufferMemoryProbe.MeasureAsync(loaded.Options.Sampling, loaded.Options.Sharding, new TrafficOptions(), options.Seed, options.MemorySpans, cancellationToken);
        }

        return new BenchResult(variant.Name, summary, cpu, peak, memory, halfLoad, journal, links);
    }
}
