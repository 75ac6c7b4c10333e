using System.Globalization;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using OtelTailSampler.Pipeline;

namespace OtelTailSampler.Sharding;

/// <summary>Starts the `traces` shard region and the forwarding of trace requests through it.</summary>
internal static class TraceShardsHosting
{
    /// <param name="maxPartBytes">The largest part a node may send another: the largest request a receiver takes.</param>
    public static AkkaConfigurationBuilder WithTraceShards(this AkkaConfigurationBuilder builder, SamplingPipeline pipeline, int shards,
        OtelTailSampler.Cluster.ClusterOptions cluster, long maxPartBytes, TimeProvider time, TraceShardLocator locator, ShardJournal? journal)
    {
        // The trace shards persist through the segment journal plugin, which Akka makes itself: it finds the journal here.
        if (journal is not null)
        {
            builder.AddSetup(new Persistence.SegmentJournalSetup(journal.Journal, journal.Writer));
        }

        // A part goes to another node in one Akka.Remote frame, so the frame must hold the largest request.
        var frameBytes = maxPartBytes + (64 * 1024);
        builder.AddHocon(TraceShardSerializer.Hocon(shards) + "\n" + LocalShards.PersistenceHocon(pipeline.Shards.Journaled) + string.Create(CultureInfo.InvariantCulture, $"""

            akka.remote.dot-netty.tcp.maximum-frame-size = {frameBytes}b
            """), HoconAddMode.Append);
        return builder
            .WithShardRegion<TraceShardRegion>(
                TraceShardRegion.TypeName,
                (system, _) => entityId => TraceShard.Props(TraceShardMessageExtractor.ShardOf(entityId), pipeline.Shards, () => TraceShard.OtherMemberUp(system),
                    mayHaveLivedElsewhere: !cluster.JoinsItself || TraceShard.OtherMemberUp(system)),
                new TraceShardMessageExtractor(shards),
                new ShardOptions
                {
                    StateStoreMode = StateStoreMode.DData,
                    RememberEntities = false,
                    HandOffStopMessage = TraceShardHandOff.Instance,
                })
            .WithActors((system, registry, resolver) =>
            {
                var budget = new ForwardBudget(cluster.MaxForwardsInFlight);
                var sweep = TimeSpan.FromTicks(Math.Clamp(cluster.ForwardTimeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond));
                var replies = system.ActorOf(ForwardReplies.Props(budget, time, sweep, resolver.GetService<SamplerMetrics>()), "trace-forward-replies");
                var region = registry.Get<TraceShardRegion>();

                // Lives as long as the actor system; cancelled when it has ended (the cluster downed this node).
                var systemStopped = new CancellationTokenSource();
                system.RegisterOnTermination(systemStopped.Cancel);
                pipeline.ForwardThrough(new ShardRegionForwarder(region, replies, budget, cluster.ForwardTimeout, time, systemStopped.Token));
                locator.Attach(system, region);
            });
    }
}
