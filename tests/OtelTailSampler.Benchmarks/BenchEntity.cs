using Akka.Actor;
using Akka.Persistence;
using OtelTailSampler.Persistence;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// A trace shard entity as a persistent actor, for <see cref="JournalPathsMeasurement"/>: persists one SpansAppended
/// part, and when it is stored, the next, one write in flight as a shard has under load; counts what was stored.
/// </summary>
internal sealed class BenchEntity : UntypedPersistentActor
{
    private readonly byte[][] _parts;
    private readonly JournalPathsCounter _counter;
    private int _next;

    public BenchEntity(string persistenceId, string journalPluginId, byte[][] parts, JournalPathsCounter counter)
    {
        PersistenceId = persistenceId;
        JournalPluginId = journalPluginId;
        _parts = parts;
        _counter = counter;
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, string journalPluginId, byte[][] parts, JournalPathsCounter counter) =>
        Akka.Actor.Props.Create(() => new BenchEntity(persistenceId, journalPluginId, parts, counter));

    protected override void OnCommand(object message)
    {
        if (message is Next && !_counter.Stopping)
        {
            var part = _parts[_next++ % _parts.Length];
            Persist(new SegmentEvent((int)ShardEventType.SpansAppended, part), stored =>
            {
                _counter.Stored(stored.Payload.Length);
                Self.Tell(Next.Instance);
            });
        }
    }

    protected override void OnRecover(object message)
    {
    }

    /// <summary>Persist the next part.</summary>
    public sealed class Next
    {
        public static readonly Next Instance = new();

        private Next()
        {
        }
    }
}
