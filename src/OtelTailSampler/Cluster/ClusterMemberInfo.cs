namespace OtelTailSampler.Cluster;

/// <summary>One member as `GET /cluster` and `otel-sampler cluster show` report it.</summary>
public sealed record ClusterMemberInfo(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable, DateTimeOffset? UpSince);
