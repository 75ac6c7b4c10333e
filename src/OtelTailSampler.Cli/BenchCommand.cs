using System.CommandLine;
using OtelTailSampler.LoadGen;

namespace OtelTailSampler.Cli;

/// <summary>`otel-sampler bench`: the end-to-end benchmark, one table with every variant against decode-only.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var defaults = new BenchOptions();
        var duration = new Option<TimeSpan>("--duration", "-d")
        {
            Description = "Measured load per variant (500ms, 30s, 2m; default 30s).",
            CustomParser = CliParsers.Duration,
        };
        var warmup = new Option<TimeSpan>("--warmup") { Description = "Unmeasured load before it (default 5s).", CustomParser = CliParsers.Duration };
        var protocol = new Option<LoadGenProtocol>("--protocol", "-p")
        {
            Description = "grpc (the default) or http: how the load reaches the node.",
            HelpName = "grpc|http",
            CustomParser = CliParsers.Protocol,
        };
        var variants = new Option<string>("--variants")
        {
            Description = $"Comma-separated, from: {string.Join(", ", BenchVariants.All.Select(v => v.Name))}. {BenchVariants.Baseline} is the baseline of the ratio column.",
            DefaultValueFactory = _ => string.Join(',', BenchVariants.Default),
        };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Batches in flight from the load generator.", DefaultValueFactory = _ => defaults.Concurrency };
        var seed = new Option<long>("--seed", "-s") { Description = "Seed of the generated traffic.", DefaultValueFactory = _ => defaults.Seed };
        var gzip = new Option<bool>("--gzip") { Description = "Gzip request bodies." };
        var halfLoad = new Option<bool>("--half-load")
        {
            Description = "After the maximum-load run, load each node at half the rate it reached and report ack latency there (true by default).",
            DefaultValueFactory = _ => defaults.HalfLoad,
        };
        var memorySpans = new Option<int>("--memory-spans") { Description = "Spans buffered by the in-process memory probe; 0 skips it.", DefaultValueFactory = _ => defaults.MemorySpans };

        var command = new Command("bench",
            "End-to-end benchmark: runs a node per variant, loads it at the highest rate it acknowledges, and prints spans/s (as a ratio of decode-only), ack latency, CPU per million spans, peak RSS and memory per buffered span.");
        foreach (var option in new Option[] { duration, warmup, protocol, variants, concurrency, seed, gzip, halfLoad, memorySpans })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var selected = new List<BenchVariant>();
            foreach (var name in parse.GetValue(variants)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (BenchVariants.Find(name) is not { } variant)
                {
                    await error.WriteLineAsync($"otel-sampler bench: unknown variant '{name}'; known: {string.Join(", ", BenchVariants.All.Select(v => v.Name))}.");
                    return 2;
                }

                selected.Add(variant);
            }

            if (selected.Count == 0 || parse.ValueOr(duration, defaults.Duration) <= TimeSpan.Zero || parse.GetValue(concurrency) < 1)
            {
                await error.WriteLineAsync("otel-sampler bench: give at least one variant, a positive duration and a concurrency of at least 1.");
                return 2;
            }

            var options = new BenchOptions
            {
                Duration = parse.ValueOr(duration, defaults.Duration),
                Warmup = parse.ValueOr(warmup, defaults.Warmup),
                Protocol = parse.ValueOr(protocol, defaults.Protocol),
                Variants = selected,
                Concurrency = parse.GetValue(concurrency),
                Seed = parse.GetValue(seed),
                Gzip = parse.GetValue(gzip),
                HalfLoad = parse.GetValue(halfLoad),
                MemorySpans = Math.Max(0, parse.GetValue(memorySpans)),
            };
            return await BenchRunner.RunAsync(options, parse.InvocationConfiguration.Output, error, cancellationToken);
        });
        return command;
    }
}
