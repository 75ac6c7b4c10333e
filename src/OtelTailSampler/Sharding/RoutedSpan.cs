namespace OtelTailSampler.Sharding;

/// <summary>A span on its way to the worker that owns its trace.</summary>
internal readonly record struct RoutedSpan(TraceId TraceId, int Shard, SpanRef Span);
