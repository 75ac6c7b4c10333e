using System.CommandLine;
using OtelTailSampler.Configuration;
using OtelTailSampler.Hosting;

namespace OtelTailSampler.Cli;

/// <summary>The `otel-sampler` command line: one binary that serves, validates config, generates load and benchmarks, and inspects a cluster and its traces.</summary>
internal static class SamplerCommandLine
{
    public static RootCommand Build()
    {
        var configOption = new Option<FileInfo?>("--config", "-c")
        {
            Description = "A HOCON file layered over the embedded defaults (hocon/sampler.conf).",
        };

        var root = new RootCommand("OTel Tail Sampler: a distributed OpenTelemetry tail sampler. With no command, runs a node.");
        root.Options.Add(configOption);
        root.SetAction((parse, cancellationToken) => ServeAsync(parse.GetValue(configOption), cancellationToken));

        var serve = new Command("serve", "Run a sampler node (the default command).");
        serve.Options.Add(configOption);
        serve.SetAction((parse, cancellationToken) => ServeAsync(parse.GetValue(configOption), cancellationToken));
        root.Subcommands.Add(serve);

        var file = new Argument<FileInfo>("file") { Description = "The HOCON file to check." };
        var validate = new Command("validate", "Check a configuration file; prints every error with file, line and column.");
        validate.Arguments.Add(file);
        validate.SetAction(parse => Validate(parse.GetRequiredValue(file)));

        var config = new Command("config", "Work with configuration files.");
        config.Subcommands.Add(validate);
        root.Subcommands.Add(config);
        root.Subcommands.Add(ClusterCommand.Create());
        root.Subcommands.Add(TraceCommand.Create());
        root.Subcommands.Add(LoadGenCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }

    private static int Validate(FileInfo file)
    {
        var loaded = SamplerConfiguration.Load(file.FullName, Environment.GetEnvironmentVariable);
        if (loaded.Errors.Count > 0)
        {
            PrintErrors(loaded.Errors);
            return 1;
        }

        Console.Out.WriteLine($"{file.FullName}: configuration is valid.");
        return 0;
    }

    private static async Task<int> ServeAsync(FileInfo? configFile, CancellationToken cancellationToken)
    {
        var loaded = SamplerConfiguration.Load(configFile?.FullName, Environment.GetEnvironmentVariable);
        if (loaded.Errors.Count > 0)
        {
            Console.Error.WriteLine("otel-sampler: refusing to start with an invalid configuration:");
            PrintErrors(loaded.Errors);
            return 1;
        }

        await using var node = SamplerNode.Create(loaded.Options!);
        try
        {
            await node.StartAsync(cancellationToken);
        }
        catch (NodeStartupException e)
        {
            // One line for the operator, no stack trace: what is wrong is outside the program.
            Console.Error.WriteLine($"otel-sampler: {e.Message}");
            return 2;
        }

        await node.WaitForShutdownAsync(cancellationToken);
        await node.StopAsync(CancellationToken.None);
        if (node.WasDowned)
        {
            Console.Error.WriteLine("otel-sampler: the cluster downed this node (sampler.cluster.down-unreachable-after); exiting so that it is restarted and joins again");
            return 3;
        }

        return 0;
    }

    private static void PrintErrors(IReadOnlyList<ConfigurationError> errors)
    {
        foreach (var error in errors)
        {
            Console.Error.WriteLine(error.ToString());
        }
    }
}
