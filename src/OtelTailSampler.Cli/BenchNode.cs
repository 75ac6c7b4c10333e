namespace OtelTailSampler.Cli;

/// <summary>Where one bench node listens.</summary>
internal sealed record BenchNode(string Host, int Grpc, int Http, int Admin);
