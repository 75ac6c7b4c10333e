namespace OtelTailSampler.Pipeline;

/// <summary>sampler.pipeline.mode: what the node does with what it accepts.</summary>
public enum PipelineMode
{
    /// <summary>Tail sampling (the product).</summary>
    Sample,

    /// <summary>Everything goes to the exporter unsampled: for debugging a pipeline.</summary>
    PassThrough,

    /// <summary>Requests are read, validated and discarded: the baseline the benchmarks compare against.</summary>
    DecodeOnly,
}
