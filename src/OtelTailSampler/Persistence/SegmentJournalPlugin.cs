using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using AkkaAtomicWrite = Akka.Persistence.AtomicWrite;

namespace OtelTailSampler.Persistence;

/// <summary>
/// An Akka.Persistence journal over the segment journal (<see cref="IJournal"/>: SQLite or PostgreSQL). Each
/// Akka atomic write becomes one of the journal's atomic writes, queued on the shared <see cref="JournalWriter"/>, so
/// the concurrent writes of many persistent actors commit together in one transaction (group commit); Akka itself
/// only batches the events of one actor. A <see cref="SegmentEvent"/> is stored as its type and its bytes, without
/// serialization or copy, so bytes that many actors persist are stored once per commit. Any other event goes through
/// Akka's serialization into an envelope. Deletions of many actors share a transaction too (<see cref="GroupedDeletions"/>).
/// The journal and its writer come from <see cref="SegmentJournalSetup"/>.
/// </summary>
/// <remarks>
/// Not stored: the event adapter manifest, the writer GUID and tags (there is no Akka.Persistence.Query over this
/// journal); replay gives events the commit time as their timestamp. A second writer of a persistence id fails with
/// <see cref="SequenceNumberConflictException"/>, which stops the persistent actor (a persist failure).
/// </remarks>
public sealed class SegmentJournalPlugin : AsyncWriteJournal
{
    /// <summary>The plugin's id in <see cref="Hocon"/>, for <c>akka.persistence.journal.plugin</c> or an actor's JournalPluginId.</summary>
    public const string PluginId = "akka.persistence.journal.segment";

    /// <summary>The type of a stored event that Akka's serialization wrote (see <see cref="SerializedEventEnvelope"/>).</summary>
    internal const int SerializedEventType = int.MinValue;

    /// <summary>
    /// The type of a stored placeholder for an event the plugin rejected (it could not be serialized). The segment
    /// journal accepts only consecutive sequence numbers, and Akka numbers the actor's next events after the
    /// rejected ones, so the numbers are filled; replay skips them.
    /// </summary>
    internal const int RejectedEventType = int.MinValue + 1;

    private readonly IJournal _journal;
    private readonly JournalWriter _writer;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly GroupedDeletions _deletions;

    // The last queued commit of each persistence id until it completes: reading the highest sequence number and
    // deleting wait for it, so a restarting actor does not reuse numbers its previous incarnation has in flight.
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    public SegmentJournalPlugin()
    {
        var setup = Context.System.Settings.Setup.Get<SegmentJournalSetup>();
        if (!setup.HasValue)
        {
            throw new ConfigurationException(
                $"{nameof(SegmentJournalPlugin)} needs a {nameof(SegmentJournalSetup)} in the actor system's setup: it names the journal to write to");
        }

        _journal = setup.Value.Journal;
        _writer = setup.Value.Writer;
        _serialization = Context.System.Serialization;
        _deletions = new GroupedDeletions(_journal);
    }

    /// <summary>The plugin's configuration, and the serializer binding of <see cref="SegmentEvent"/>.</summary>
    public static string Hocon => $$"""
        {{PluginId}} {
          class = "{{typeof(SegmentJournalPlugin).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        akka.actor {
          serializers {
            otel-segment-event = "{{typeof(SegmentEventSerializer).FullName}}, OtelTailSampler"
          }
          serialization-bindings {
            "{{typeof(SegmentEvent).FullName}}, OtelTailSampler" = otel-segment-event
          }
        }
        """;

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AkkaAtomicWrite> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);

        // Usually one atomic write: a persistent actor sends its next batch only when the last one is stored.
        var commits = new List<(string PersistenceId, Task Committed)>(1);
        List<Exception?>? results = null;
        var index = 0;
        foreach (var message in messages)
        {
            var persistent = (IImmutableList<IPersistentRepresentation>)message.Payload;
            PendingEvent[] events;
            try
            {
                events = ToEvents(persistent);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Rejected, not failed: the actor is told and goes on. Placeholders keep its numbering consecutive.
                results ??= [.. Enumerable.Repeat<Exception?>(null, index)];
                results.Add(e);
                events = Placeholders(persistent.Count);
            }

            if (results is not null && results.Count == index)
            {
                results.Add(null);
            }

            // The writer commits in queue order; the token only bounds the wait for room in its queue.
            var committed = await _writer.EnqueueAsync(new AtomicWrite(message.PersistenceId, message.LowestSequenceNr, events), cancellationToken);
            _inFlight[message.PersistenceId] = committed;
            commits.Add((message.PersistenceId, committed));
            index++;
        }

        try
        {
            foreach (var (_, committed) in commits)
            {
                await committed.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            foreach (var commit in commits)
            {
                if (commit.Committed.IsCompleted)
                {
                    _inFlight.TryRemove(new KeyValuePair<string, Task>(commit.PersistenceId, commit.Committed));
                }
            }
        }

        return results is null ? null! : results.ToImmutableList();
    }

    public override async Task ReplayMessagesAsync(
        IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        ArgumentNullException.ThrowIfNull(recoveryCallback);
        await foreach (var stored in _journal.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max))
        {
            if (stored.EventType == RejectedEventType)
            {
                continue;
            }

            recoveryCallback(new Persistent(
                FromStored(stored), stored.SequenceNr, persistenceId, manifest: "", isDeleted: false, ActorRefs.NoSender, writerGuid: null,
                timestamp: DateTimeOffset.FromUnixTimeMilliseconds(stored.WrittenAtUnixMs).UtcTicks));
        }
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        await InFlightOf(persistenceId).WaitAsync(cancellationToken);
        return await _journal.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);
    }

    protected override async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        await InFlightOf(persistenceId).WaitAsync(cancellationToken);
        await _deletions.DeleteUpToAsync(persistenceId, toSequenceNr, cancellationToken);
    }

    private PendingEvent[] ToEvents(IImmutableList<IPersistentRepresentation> persistent)
    {
        var events = new PendingEvent[persistent.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = persistent[i].Payload switch
            {
                SegmentEvent e => new PendingEvent(e.EventType, e.Payload),
                var other => Serialize(other),
            };
        }

        return events;
    }

    private PendingEvent Serialize(object payload)
    {
        var serializer = _serialization.FindSerializerFor(payload);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, payload);
        var bytes = Akka.Serialization.Serialization.WithTransport(_serialization.System, () => serializer.ToBinary(payload));
        return new PendingEvent(SerializedEventType, SerializedEventEnvelope.Write(serializer.Identifier, manifest, bytes));
    }

    private object FromStored(JournalEvent stored)
    {
        if (stored.EventType != SerializedEventType)
        {
            return new SegmentEvent(stored.EventType, stored.Payload, stored.WrittenAtUnixMs);
        }

        var (serializerId, manifest, bytes) = SerializedEventEnvelope.Read(stored.Payload.Span);
        return _serialization.Deserialize(bytes, serializerId, manifest);
    }

    private static PendingEvent[] Placeholders(int count)
    {
        var events = new PendingEvent[count];
        Array.Fill(events, new PendingEvent(RejectedEventType, ReadOnlyMemory<byte>.Empty));
        return events;
    }

    // Waits for the commit only, not for its success: a failed write has nothing in flight any more.
    private Task InFlightOf(string persistenceId) =>
        _inFlight.TryGetValue(persistenceId, out var committed)
            ? committed.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            : Task.CompletedTask;
}
