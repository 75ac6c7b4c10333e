using System.Buffers.Binary;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace OtelTailSampler.Persistence;

/// <summary>
/// What the SQL backends share about a stored event: its checksum, and replay that trusts a row only when the
/// checksum matches and the sequence has no hole.
/// </summary>
internal static partial class JournalRecord
{
    /// <summary>The columns every backend selects for replay, in this order.</summary>
    public const string ReplayColumns = "sequence_nr, event_type, written_at, checksum, payload";

    /// <summary>
    /// CRC-32C over the persistence id, sequence number, event type, write time and payload, so a garbled
    /// column of any of them (not only the payload) or a row moved to another id is caught.
    /// </summary>
    public static long Checksum(string persistenceId, long sequenceNr, int eventType, long writtenAtUnixMs, ReadOnlySpan<byte> payload)
    {
        var idLength = Encoding.UTF8.GetByteCount(persistenceId);
        var id = idLength <= 256 ? stackalloc byte[idLength] : new byte[idLength];
        Encoding.UTF8.GetBytes(persistenceId, id);

        Span<byte> header = stackalloc byte[sizeof(long) + sizeof(int) + sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(header, sequenceNr);
        BinaryPrimitives.WriteInt32LittleEndian(header[sizeof(long)..], eventType);
        BinaryPrimitives.WriteInt64LittleEndian(header[(sizeof(long) + sizeof(int))..], writtenAtUnixMs);

        var state = Crc32C.Append(Crc32C.Start, id);
        state = Crc32C.Append(state, header);
        state = Crc32C.Append(state, payload);
        return Crc32C.Finish(state);
    }

    /// <summary>The payload as a whole array for the database driver, copied only when it is a slice.</summary>
    public static byte[] PayloadArray(ReadOnlyMemory<byte> payload) =>
        MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : payload.ToArray();

    /// <summary>
    /// Turns replay rows (<see cref="ReplayColumns"/>, ordered by sequence number, starting at <paramref name="firstExpected"/>)
    /// into events, ending at the first row that fails its checksum, cannot be read, or is not the next number.
    /// <paramref name="lastExpected"/> is the last number the metadata says exists in range, to notice a missing tail.
    /// </summary>
    public static async IAsyncEnumerable<JournalEvent> VerifyAsync(
        DbDataReader reader, string persistenceId, long firstExpected, long lastExpected, long max, ILogger logger,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var expected = firstExpected;
        long returned = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!TryDecode(reader, persistenceId, out var journalEvent, out var storedChecksum, out var problem))
            {
                LogReplayStopped(logger, persistenceId, expected, problem, returned);
                yield break;
            }

            if (journalEvent.SequenceNr != expected)
            {
                LogReplayStopped(logger, persistenceId, expected, $"the event is missing (the next stored one is {journalEvent.SequenceNr})", returned);
                yield break;
            }

            var checksum = Checksum(persistenceId, journalEvent.SequenceNr, journalEvent.EventType, journalEvent.WrittenAtUnixMs, journalEvent.Payload.Span);
            if (checksum != storedChecksum)
            {
                LogReplayStopped(logger, persistenceId, expected,
                    $"checksum mismatch (stored {storedChecksum:x8}, computed {checksum:x8} over {journalEvent.Payload.Length} payload bytes)", returned);
                yield break;
            }

            yield return journalEvent;
            expected++;
            returned++;
        }

        if (returned < max && expected <= lastExpected)
        {
            LogReplayStopped(logger, persistenceId, expected, $"events up to {lastExpected} were written but the stored ones end before it", returned);
        }
    }

    private static bool TryDecode(DbDataReader reader, string persistenceId, out JournalEvent journalEvent, out long checksum, out string problem)
    {
        journalEvent = null!;
        checksum = 0;
        try
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                if (reader.IsDBNull(i))
                {
                    problem = $"column {reader.GetName(i)} is null";
                    return false;
                }
            }

            var sequenceNr = reader.GetInt64(0);
            var eventType = reader.GetInt32(1);
            var writtenAt = reader.GetInt64(2);
            checksum = reader.GetInt64(3);
            var payload = reader.GetFieldValue<byte[]>(4);
            journalEvent = new JournalEvent(persistenceId, sequenceNr, eventType, payload, writtenAt);
            problem = "";
            return true;
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or InvalidOperationException)
        {
            // A column garbled into another type: as much a damaged record as a bad checksum.
            problem = $"the row cannot be read ({e.GetType().Name}: {e.Message})";
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Journal replay of {PersistenceId} stopped at sequence number {SequenceNr}: {Problem}. " +
                  "{Replayed} events were replayed before it; later events of this id are not returned")]
    private static partial void LogReplayStopped(ILogger logger, string persistenceId, long sequenceNr, string problem, long replayed);
}
