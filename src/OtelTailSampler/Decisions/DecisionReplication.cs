namespace OtelTailSampler.Decisions;

/// <summary>sampler.decisions.replicate: which decisions go into the replicated decision set.</summary>
public enum DecisionReplication
{
    /// <summary>Kept decisions only: those are what a late span must follow to keep its trace whole at the backend.</summary>
    Kept,

    /// <summary>Dropped decisions too, at the cost of every node holding every trace decided within the TTL.</summary>
    All,

    /// <summary>None: decisions stay on the node that made them, and late spans at a shard's new owner start a new trace.</summary>
    None,
}
