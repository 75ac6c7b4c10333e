namespace OtelTailSampler.Tests.Support;

/// <summary>One sample line of a Prometheus text exposition: name, labels, value and the optional timestamp.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? Timestamp);
