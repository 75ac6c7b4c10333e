using Akka.DistributedData;
using Akka.Hosting;
using Microsoft.Extensions.Logging;

namespace OtelTailSampler.Decisions;

/// <summary>Starts the node's <see cref="DecisionReplicator"/> on Akka's default Replicator, with the decisions' serializer bound.</summary>
internal static class DecisionsHosting
{
    public static AkkaConfigurationBuilder WithReplicatedDecisions(this AkkaConfigurationBuilder builder, DecisionReplica replica, ILoggerFactory loggerFactory)
    {
        builder.AddHocon(ReplicatedDecisionsSerializer.Hocon, HoconAddMode.Append);
        return builder.WithActors((system, _) =>
        {
            var replicator = DistributedData.Get(system).Replicator;
            var actor = system.ActorOf(DecisionReplicator.Props(replica, replicator, loggerFactory.CreateLogger<DecisionReplicator>()), "decision-replicator");
            replica.Attach(actor);
        });
    }
}
