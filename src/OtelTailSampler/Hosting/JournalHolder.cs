using OtelTailSampler.Sharding;

namespace OtelTailSampler.Hosting;

/// <summary>The node's journal, or none (journal off, or a pipeline mode that does not journal).</summary>
internal sealed record JournalHolder(ShardJournal? Journal);
