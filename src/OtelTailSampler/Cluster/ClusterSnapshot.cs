namespace OtelTailSampler.Cluster;

/// <summary>The cluster as this node sees it: itself, the leader and every member, sorted by address.</summary>
public sealed record ClusterSnapshot(string Self, string? Leader, IReadOnlyList<ClusterMemberInfo> Members);
