using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace OtelTailSampler.Persistence;

/// <summary>
/// Replay over stored segments, shared by the SQL backends: events are returned per persistence id in sequence
/// order, starting after its deletion mark, and an id's replay ends, logged, at its first event that sits in a
/// damaged segment or is missing; other ids go on.
/// </summary>
internal static partial class SegmentReplay
{
    /// <summary>The columns every backend selects, in this order, ordered by segment number.</summary>
    public const string Columns = "segment_nr, written_at, checksum, summary, content";

    /// <summary>
    /// Turns segment rows (<see cref="Columns"/>) into events: of <paramref name="persistenceId"/> only (from, to and
    /// max applied), or, when it is null, of every id in <paramref name="metadata"/>, interleaved in write order.
    /// A segment whose summary shows nothing wanted is skipped without reading its content.
    /// </summary>
    public static async IAsyncEnumerable<JournalEvent> ReadAsync(
        DbDataReader reader, IReadOnlyDictionary<string, JournalMetadata> metadata, string? persistenceId,
        long fromSequenceNr, long toSequenceNr, long max, ILogger logger, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, IdState>(StringComparer.Ordinal);
        foreach (var (id, row) in metadata)
        {
            if (persistenceId is null || id == persistenceId)
            {
                var first = Math.Max(fromSequenceNr, row.DeletedTo + 1);
                var last = Math.Min(toSequenceNr, row.HighestSequenceNr);
                if (first <= last && max > 0)
                {
                    states[id] = new IdState { Expected = first, Last = last, Max = max };
                }
            }
        }

        var open = states.Count;
        while (open > 0 && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var segmentNr = reader.GetInt64(0);
            var summaryRead = TryColumn(reader, 3, out var summary) & JournalSegment.TryReadSummary(summary, out var listed);
            if (summaryRead && !Array.Exists(listed, entry => Wants(states, entry)))
            {
                continue;
            }

            var decoded = TryNumbers(reader, out var writtenAt, out var checksum) & TryColumn(reader, 4, out var content);
            var problem = decoded ? "" : "the row cannot be read";
            if (!decoded || !JournalSegment.TryDecode(writtenAt, checksum, summary, content, out var entries, out var events, out problem))
            {
                if (summaryRead)
                {
                    foreach (var entry in listed)
                    {
                        if (Wants(states, entry))
                        {
                            open -= Stop(states[entry.PersistenceId], entry.PersistenceId, $"segment {segmentNr} is damaged: {problem}", logger);
                        }
                    }
                }
                else
                {
                    // Which ids it held is unknown: each one's replay ends at the gap this leaves.
                    LogSegmentUnreadable(logger, segmentNr, problem);
                }

                continue;
            }

            foreach (var stored in events)
            {
                var id = entries[stored.Entry].PersistenceId;
                if (!states.TryGetValue(id, out var state) || state.Done || stored.SequenceNr < state.Expected || stored.SequenceNr > state.Last)
                {
                    continue;
                }

                if (stored.SequenceNr > state.Expected)
                {
                    open -= Stop(state, id, $"the event is missing (the next stored one is {stored.SequenceNr})", logger);
                    continue;
                }

                yield return new JournalEvent(id, stored.SequenceNr, stored.EventType, stored.Payload, writtenAt);
                state.Expected++;
                state.Returned++;
                if (state.Returned == state.Max || state.Expected > state.Last)
                {
                    state.Done = true;
                    open--;
                }
            }
        }

        foreach (var (id, state) in states)
        {
            if (!state.Done)
            {
                LogReplayStopped(logger, id, state.Expected,
                    $"events up to {state.Last} were written but the stored ones end before it", state.Returned);
            }
        }
    }

    private static bool Wants(Dictionary<string, IdState> states, SegmentEntry entry) =>
        states.TryGetValue(entry.PersistenceId, out var state) && !state.Done
        && entry.LastSequenceNr >= state.Expected && entry.FirstSequenceNr <= state.Last;

    private static int Stop(IdState state, string id, string problem, ILogger logger)
    {
        LogReplayStopped(logger, id, state.Expected, problem, state.Returned);
        state.Done = true;
        return 1;
    }

    private static bool TryColumn(DbDataReader reader, int ordinal, out byte[] value)
    {
        try
        {
            value = reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);
            return !reader.IsDBNull(ordinal);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or InvalidOperationException)
        {
            // A column garbled into another type: as much a damaged record as a bad checksum.
            value = [];
            return false;
        }
    }

    private static bool TryNumbers(DbDataReader reader, out long writtenAt, out long checksum)
    {
        try
        {
            writtenAt = reader.GetInt64(1);
            checksum = reader.GetInt64(2);
            return true;
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or InvalidOperationException)
        {
            writtenAt = checksum = 0;
            return false;
        }
    }

    [LoggerMessage(EventId = 76, Level = LogLevel.Error,
        Message = "Journal replay of {PersistenceId} stopped at sequence number {SequenceNr}: {Problem}. " +
                  "{Replayed} events were replayed before it; later events of this id are not returned")]
    private static partial void LogReplayStopped(ILogger logger, string persistenceId, long sequenceNr, string problem, long replayed);

    [LoggerMessage(EventId = 77, Level = LogLevel.Error,
        Message = "Journal segment {SegmentNr} cannot be read ({Problem}); the replay of each id it held ends where its events are missing")]
    private static partial void LogSegmentUnreadable(ILogger logger, long segmentNr, string problem);

    private sealed class IdState
    {
        public long Expected { get; set; }

        public long Last { get; init; }

        public long Max { get; init; }

        public long Returned { get; set; }

        public bool Done { get; set; }
    }
}
