namespace OtelTailSampler.Sampling;

/// <summary>The <c>type</c> of a sampling policy; configuration spells these in kebab-case (<c>string-attribute</c>).</summary>
public enum PolicyType
{
    AlwaysSample,
    Latency,
    StatusCode,
    StringAttribute,
    NumericAttribute,
    BooleanAttribute,
    Probabilistic,
    RateLimiting,
    BytesLimiting,
    SpanCount,
    TraceState,
    TraceFlags,
    And,
    Not,
    Drop,
    Composite,
}
