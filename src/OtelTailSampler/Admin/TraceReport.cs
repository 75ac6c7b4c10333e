using System.Text.Json.Serialization;

namespace OtelTailSampler.Admin;

/// <summary>
/// `GET /traces/{traceId}`: the trace's shard, the member hosting it, and, when that is the node asked, the trace's
/// state there: buffered, kept, dropped or unknown. When another member hosts it: kept or dropped if that member's
/// decision has been replicated here, else on-another-node, and that member is the one to ask. Unallocated when no
/// member hosts its shard.
/// </summary>
public sealed record TraceReport(
    string TraceId,
    int Shard,
    int Shards,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Owner,
    string Self,
    string State,
    string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? BufferedSpans = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Policy = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? AdjustedCount = null);
