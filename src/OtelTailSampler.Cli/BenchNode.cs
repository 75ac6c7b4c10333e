namespace OtelTailSampler.Cli;

/// <summary>Where one bench node listens; <paramref name="Cluster"/> is its Akka.Remote host:port in a cluster of several, else null.</summary>
internal sealed record BenchNode(string Host, int Grpc, int Http, int Admin, string? Cluster = null);
