using OtelTailSampler.Sharding;

namespace OtelTailSampler.Hosting;

/// <summary>
/// The node's journal, or none (journal off, or a pipeline mode that does not journal). Opened by the node's start,
/// before anything that uses it is resolved, so the open is awaited rather than run inside a DI factory.
/// </summary>
internal sealed class JournalHolder
{
    public ShardJournal? Journal { get; set; }
}
