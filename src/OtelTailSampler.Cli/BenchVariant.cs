namespace OtelTailSampler.Cli;

/// <summary>
/// One configuration the end-to-end benchmark runs a node with: environment overrides and HOCON layered over
/// the benchmark's own settings (loopback ports, exporter pointed at the discarding sink).
/// </summary>
/// <param name="Name">What the table calls it, and what --variants selects.</param>
/// <param name="Description">One line for --help and the report.</param>
/// <param name="Environment">Environment variables set for the node (SAMPLER_PIPELINE_MODE and the like).</param>
/// <param name="Hocon">Configuration written to a file and given with --config; empty for none.</param>
/// <param name="Nodes">Node processes, one cluster; more than one run on 127.0.0.2, .3, ... and share the load.</param>
internal sealed record BenchVariant(string Name, string Description, IReadOnlyDictionary<string, string> Environment, string Hocon = "", int Nodes = 1);
