namespace OtelTailSampler.Cluster;

/// <summary>sampler.cluster.discovery.method: how a node finds the members it forms or joins a cluster with.</summary>
public enum DiscoveryMethod
{
    /// <summary>No discovery: static seeds, or a cluster of one without them.</summary>
    None,

    /// <summary>Akka's Cluster Bootstrap probes the contact points listed in the configuration (docker-compose).</summary>
    Config,

    /// <summary>Akka's Cluster Bootstrap probes the pods the Kubernetes API lists by label (a StatefulSet or Deployment).</summary>
    KubernetesApi,
}
