using System.Text.Json.Serialization;

namespace OtelTailSampler.Admin;

/// <summary>Source-generated JSON for the admin API's small documents.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
