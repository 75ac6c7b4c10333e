namespace OtelTailSampler.Cli;

/// <summary>What one node forwarded to another over a bench run: trace shard parts its owner answered.</summary>
/// <param name="From">The sending node's host.</param>
/// <param name="To">The owning node's host.</param>
internal sealed record BenchLink(string From, string To, double SpansPerSecond, double BytesPerSecond);
