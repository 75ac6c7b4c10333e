using Akka.Actor.Setup;

namespace OtelTailSampler.Persistence;

/// <summary>
/// Hands <see cref="SegmentJournalPlugin"/> its journal when the actor system is made (Akka creates the plugin
/// itself, from configuration, so it cannot take them in a constructor). The writer is the group commit in front of
/// the journal; sharing it with other writers puts their writes and the plugin's in the same transactions. Whoever
/// makes the setup owns both and disposes them after the actor system has terminated.
/// </summary>
public sealed class SegmentJournalSetup : Setup
{
    public SegmentJournalSetup(IJournal journal, JournalWriter writer)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(writer);
        Journal = journal;
        Writer = writer;
    }

    public IJournal Journal { get; }

    public JournalWriter Writer { get; }
}
