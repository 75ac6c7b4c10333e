using System.Text.Json.Serialization;

namespace OtelTailSampler.Admin;

/// <summary>Source-generated JSON for the admin API's small documents.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower)]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(Cluster.ClusterSnapshot))]
[JsonSerializable(typeof(Sharding.TraceShardAllocation))]
[JsonSerializable(typeof(TraceReport))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
