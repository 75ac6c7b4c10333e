namespace OtelTailSampler.Sharding;

/// <summary>The byte ranges of one ScopeSpans and of the ResourceSpans around it, within a request.</summary>
internal readonly record struct ScopeRange(int ResourceIndex, int ResourceOffset, int ResourceLength, int ScopeOffset, int ScopeLength);
