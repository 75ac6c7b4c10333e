using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The actor system of a sampling pipeline that has no cluster (tests, the memory probe): a
/// <see cref="LocalShardRegion"/> hosts every trace shard, reached through the same forwarder and replies actor as
/// the cluster's region, and the shards persist through the same journal plugin.
/// </summary>
internal static class LocalShards
{
    private const int MaxForwardsInFlight = 1 << 20;

    public static ActorSystem Start(TraceShardContext node, ShardJournal? journal, TimeProvider time, out IShardForwarder forwarder)
    {
        var config = ConfigurationFactory.ParseString(PersistenceHocon(journaled: journal is not null));
        var setup = BootstrapSetup.Create().WithConfig(config);
        var system = journal is null
            ? ActorSystem.Create("sampler-local", setup)
            : ActorSystem.Create("sampler-local", ActorSystemSetup.Create(setup, new SegmentJournalSetup(journal.Journal, journal.Writer)));
        var budget = new ForwardBudget(MaxForwardsInFlight);
        var replies = system.ActorOf(ForwardReplies.Props(budget, time, TimeSpan.FromSeconds(1)), "trace-forward-replies");
        var region = system.ActorOf(LocalShardRegion.Props(node), "traces");
        forwarder = new ShardRegionForwarder(region, replies, budget, TimeSpan.FromSeconds(30), time);
        return system;
    }

    /// <summary>The persistence configuration of trace shards: the segment journal plugin when there is a journal, no snapshots.</summary>
    public static string PersistenceHocon(bool journaled) => (journaled ? SegmentJournalPlugin.Hocon : string.Empty) + $$"""

        akka.persistence.journal.plugin = "{{(journaled ? SegmentJournalPlugin.PluginId : TraceShard.NoJournalPluginId)}}"
        akka.persistence.snapshot-store.plugin = "akka.persistence.no-snapshot-store"
        akka.loglevel = WARNING
        """;
}
