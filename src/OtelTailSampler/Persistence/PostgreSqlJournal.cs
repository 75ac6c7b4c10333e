using System.Data;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace OtelTailSampler.Persistence;

/// <summary>
/// The shared journal: tables in a PostgreSQL database that every node can reach, so a surviving node can replay
/// a dead node's shards. A commit is one segment row (see <see cref="JournalSegment"/>) and one metadata row per
/// id it touches, sent as one batch of statements: each id's sequence range is claimed with a compare-and-set on its
/// metadata row (which also serializes two nodes that both believe they own a shard), then the segment is inserted.
/// Statements are auto-prepared. <see cref="JournalSync"/> maps to the session's <c>synchronous_commit</c>.
/// </summary>
public sealed partial class PostgreSqlJournal : IJournal
{
    // Held while creating the tables, so nodes starting together do not race on CREATE TABLE IF NOT EXISTS.
    private const long SchemaLockKey = 0x4F54_534A_6F75_726E;

    private const string AdvanceSql = """
        UPDATE journal_metadata SET highest_sequence_nr = $1 WHERE persistence_id = $2 AND highest_sequence_nr = $3
        """;

    private const string InsertFirstSql = """
        INSERT INTO journal_metadata (persistence_id, highest_sequence_nr, deleted_to) VALUES ($1, $2, 0) ON CONFLICT (persistence_id) DO NOTHING
        """;

    private const string InsertSegmentSql = """
        INSERT INTO journal_segment (written_at, checksum, stored_bytes, summary, content) VALUES ($1, $2, $3, $4, $5) RETURNING segment_nr
        """;

    private const string MetadataSql = "SELECT persistence_id, highest_sequence_nr, deleted_to FROM journal_metadata";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgreSqlJournal> _logger;
    private readonly TimeProvider _time;
    private readonly SegmentIndex _segments = new();

    // Segments every id has been deleted past, not yet dropped (a drop failed); locked while used.
    private readonly List<long> _droppable = [];

    private PostgreSqlJournal(NpgsqlDataSource dataSource, ILogger<PostgreSqlJournal> logger, TimeProvider time)
    {
        _dataSource = dataSource;
        _logger = logger;
        _time = time;
    }

    /// <summary>Connects, creates the journal's tables when they are missing, and learns which stored segments hold events.</summary>
    public static async Task<PostgreSqlJournal> OpenAsync(
        JournalOptions options, ILogger<PostgreSqlJournal> logger, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.PostgreSqlConnectionString);

        var builder = new NpgsqlDataSourceBuilder(options.PostgreSqlConnectionString);
        var settings = builder.ConnectionStringBuilder;

        // A startup option applies to every pooled connection and takes precedence over role and database defaults.
        var synchronousCommit = options.Sync == JournalSync.Full ? "on" : "off";
        settings.Options = $"{settings.Options} -c synchronous_commit={synchronousCommit}".Trim();
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 16;
        }

        var dataSource = builder.Build();
        try
        {
            await CreateSchemaAsync(dataSource, cancellationToken).ConfigureAwait(false);
            var journal = new PostgreSqlJournal(dataSource, logger, timeProvider ?? TimeProvider.System);
            var dropped = await journal.LoadSegmentsAsync(cancellationToken).ConfigureAwait(false);
            LogOpened(logger, settings.Host ?? "", settings.Database ?? "", options.Sync, journal._segments.LiveSegments, dropped);
            return journal;
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        var writtenAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var claims = SequenceClaims.Of(writes);
        var segment = JournalSegment.Encode(writes, writtenAt);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            long segmentNr = 0;
            // Claims lock metadata rows in persistence id order, as truncation does: in any other order a commit and a
            // truncation can each hold a row the other waits for, and the server breaks that deadlock only after a second.
            claims.Sort((a, b) => string.CompareOrdinal(a.PersistenceId, b.PersistenceId));
            await using (var batch = new NpgsqlBatch(connection, transaction))
            {
                foreach (var claim in claims)
                {
                    batch.BatchCommands.Add(claim.Expected == 0
                        ? Statement(InsertFirstSql, claim.PersistenceId, claim.Highest)
                        : Statement(AdvanceSql, claim.Highest, claim.PersistenceId, claim.Expected));
                }

                var insert = new NpgsqlBatchCommand(InsertSegmentSql);
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = writtenAt });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = segment.Checksum });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = segment.StoredBytes });
                insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = segment.Summary });
                insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = segment.Content });
                batch.BatchCommands.Add(insert);

                await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    do
                    {
                        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            segmentNr = reader.GetInt64(0);
                        }
                    }
                    while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
                }

                for (var i = 0; i < claims.Count; i++)
                {
                    if (batch.BatchCommands[i].RecordsAffected != 1)
                    {
                        var claim = claims[i];
                        var metadata = await ReadMetadataAsync(connection, transaction, claim.PersistenceId, cancellationToken).ConfigureAwait(false);
                        var highest = metadata.TryGetValue(claim.PersistenceId, out var row) ? row.HighestSequenceNr : 0;
                        throw new SequenceNumberConflictException(claim.PersistenceId, highest + 1, claim.Expected + 1, claim.WriteIndex);
                    }
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (_segments.Add(segmentNr, segment.Entries))
            {
                // A deletion ran between the commit and now and passed every event in it: drop it now.
                await using var drop = new NpgsqlCommand("DELETE FROM journal_segment WHERE segment_nr = $1", connection);
                drop.Parameters.Add(new NpgsqlParameter<long> { TypedValue = segmentNr });
                await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException e)
        {
            ForgetConnectionsAfter(e);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var metadata = await ReadMetadataAsync(connection, null, persistenceId, cancellationToken).ConfigureAwait(false);
            return metadata.TryGetValue(persistenceId, out var row) ? row.HighestSequenceNr : 0;
        }
        catch (NpgsqlException e)
        {
            ForgetConnectionsAfter(e);
            throw;
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<JournalEvent> ReplayAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return ReplayCoreAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<JournalEvent> ReplayAllAsync(CancellationToken cancellationToken = default) =>
        ReplayCoreAsync(null, 1, long.MaxValue, long.MaxValue, cancellationToken);

    /// <inheritdoc />
    public async Task DeleteUpToAsync(IReadOnlyList<(string PersistenceId, long ToSequenceNr)> deletions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deletions);
        var furthest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (persistenceId, toSequenceNr) in deletions)
        {
            furthest[persistenceId] = Math.Max(toSequenceNr, furthest.GetValueOrDefault(persistenceId));
        }

        if (furthest.Count == 0)
        {
            return;
        }

        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var marks = new List<(string PersistenceId, long To)>();

            // The rows are locked first, in persistence id order, the order commits claim them in (see WriteAsync).
            await using (var lockRows = new NpgsqlCommand("""
                SELECT persistence_id FROM journal_metadata WHERE persistence_id = ANY($1) ORDER BY persistence_id COLLATE "C" FOR UPDATE
                """, connection, transaction))
            {
                lockRows.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. furthest.Keys] });
                await lockRows.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var mark = new NpgsqlCommand("""
                UPDATE journal_metadata m SET deleted_to = LEAST(d.upto, m.highest_sequence_nr)
                FROM unnest($1::text[], $2::bigint[]) AS d(id, upto)
                WHERE m.persistence_id = d.id AND LEAST(d.upto, m.highest_sequence_nr) > m.deleted_to
                RETURNING m.persistence_id, m.deleted_to
                """, connection, transaction))
            {
                mark.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. furthest.Keys] });
                mark.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. furthest.Values] });
                await using var reader = await mark.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    marks.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

            // Only marks that are committed may make a segment droppable: a segment dropped on the strength of a mark
            // that then failed (or of another truncation's mark not yet committed) would leave a gap in the other
            // ids it holds.
            List<long> dead;
            lock (_droppable)
            {
                foreach (var (persistenceId, to) in marks)
                {
                    _segments.Delete(persistenceId, to, _droppable);
                }

                dead = [.. _droppable];
                _droppable.Clear();
            }

            try
            {
                await DeleteSegmentsAsync(connection, null, dead, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Offered again with the next deletion.
                lock (_droppable)
                {
                    _droppable.AddRange(dead);
                }

                throw;
            }
        }
        catch (NpgsqlException e)
        {
            ForgetConnectionsAfter(e);
            throw;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> PersistenceIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // COLLATE "C": ordinal order whatever the database's locale, the same as SQLite's.
        await using var command = new NpgsqlCommand("SELECT persistence_id FROM journal_metadata ORDER BY persistence_id COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.GetString(0);
        }
    }

    /// <inheritdoc />
    public async Task<long> ApproximateSizeBytesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = _dataSource.CreateCommand("SELECT COALESCE(SUM(stored_bytes), 0)::bigint FROM journal_segment");
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (NpgsqlException e)
        {
            ForgetConnectionsAfter(e);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>A server setting as the journal's own connections see it, such as <c>synchronous_commit</c>.</summary>
    internal async Task<string> ShowSettingAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT current_setting($1)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task CreateSchemaAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        bool segmentsExist, metadataExists;
        await using (var lockAndCheck = new NpgsqlCommand($"""
            SELECT to_regclass('event_journal') IS NOT NULL, to_regclass('journal_segment') IS NOT NULL, to_regclass('journal_metadata') IS NOT NULL
            FROM (SELECT pg_advisory_xact_lock({SchemaLockKey})) AS locked
            """, connection, transaction))
        await using (var reader = await lockAndCheck.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetBoolean(0))
            {
                throw new InvalidOperationException(
                    "The PostgreSQL journal database has an event_journal table, the earlier layout (one row per event) that this version " +
                    "does not read: let the version that wrote it drain it, or drop the tables event_journal and journal_metadata to start empty");
            }

            segmentsExist = reader.GetBoolean(1);
            metadataExists = reader.GetBoolean(2);
        }

        if (segmentsExist && metadataExists)
        {
            return;
        }

        // One row per commit (a segment of many events); the metadata row of an id holds its sequence numbers. Tables
        // are created and altered only when missing, so a role that may use but not create or own them (they were
        // made by an administrator, or by an earlier node as their owner) can open the journal. Its content is deflated already: TOAST must
        // not compress it again. Segments live seconds: autovacuum runs on the table after a fixed number of dead
        // rows, not a share of the table, so their space is reused sooner.
        await using var command = new NpgsqlCommand((segmentsExist ? "" : """
            CREATE TABLE journal_segment (
                segment_nr bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                written_at bigint NOT NULL,
                checksum bigint NOT NULL,
                stored_bytes bigint NOT NULL,
                summary bytea NOT NULL,
                content bytea NOT NULL
            ) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                    toast.autovacuum_vacuum_scale_factor = 0, toast.autovacuum_vacuum_threshold = 1000);
            ALTER TABLE journal_segment ALTER COLUMN content SET STORAGE EXTERNAL;
            """) + (metadataExists ? "" : """
            CREATE TABLE journal_metadata (
                persistence_id text NOT NULL PRIMARY KEY,
                highest_sequence_nr bigint NOT NULL,
                deleted_to bigint NOT NULL DEFAULT 0
            );
            """), connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Dictionary<string, JournalMetadata>> ReadMetadataAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string? persistenceId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(persistenceId is null ? MetadataSql : MetadataSql + " WHERE persistence_id = $1", connection, transaction);
        if (persistenceId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        }

        var metadata = new Dictionary<string, JournalMetadata>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            metadata[reader.GetString(0)] = new JournalMetadata(reader.GetInt64(1), reader.GetInt64(2));
        }

        return metadata;
    }

    private static async Task DeleteSegmentsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, List<long> segmentNrs, CancellationToken cancellationToken)
    {
        if (segmentNrs.Count == 0)
        {
            return;
        }

        await using var delete = new NpgsqlCommand("DELETE FROM journal_segment WHERE segment_nr = ANY($1)", connection, transaction);
        delete.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. segmentNrs] });
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Learns which stored segments hold events not yet deleted, and drops those that hold none.
    private async Task<int> LoadSegmentsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var metadata = await ReadMetadataAsync(connection, transaction, null, cancellationToken).ConfigureAwait(false);
        await using (var segments = new NpgsqlCommand("SELECT segment_nr, summary FROM journal_segment ORDER BY segment_nr", connection, transaction))
        await using (var reader = await segments.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // A segment whose summary is damaged is kept: replay reports it.
                if (JournalSegment.TryReadSummary(reader.GetFieldValue<byte[]>(1), out var entries))
                {
                    _segments.Add(reader.GetInt64(0), entries);
                }
            }
        }

        var dead = new List<long>();
        foreach (var (persistenceId, row) in metadata)
        {
            _segments.Delete(persistenceId, row.DeletedTo, dead);
        }

        await DeleteSegmentsAsync(connection, transaction, dead, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return dead.Count;
    }

    private async IAsyncEnumerable<JournalEvent> ReplayCoreAsync(
        string? persistenceId, long fromSequenceNr, long toSequenceNr, long max, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            yield break;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // Repeatable read: the metadata and the segments are one snapshot.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var metadata = await ReadMetadataAsync(connection, transaction, persistenceId, cancellationToken).ConfigureAwait(false);
        if (metadata.Count == 0)
        {
            yield break;
        }

        await using var rows = new NpgsqlCommand($"SELECT {SegmentReplay.Columns} FROM journal_segment ORDER BY segment_nr", connection, transaction);
        await using var reader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var journalEvent in SegmentReplay.ReadAsync(
                           reader, metadata, persistenceId, fromSequenceNr, toSequenceNr, max, _logger, cancellationToken).ConfigureAwait(false))
        {
            yield return journalEvent;
        }
    }

    private static NpgsqlBatchCommand Statement(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    /// <summary>
    /// After a lost connection or a server shutdown, every idle pooled connection is dead too: drop them, so the
    /// first request after the server is back succeeds instead of failing once per stale connection.
    /// </summary>
    private void ForgetConnectionsAfter(NpgsqlException exception)
    {
        if (exception is not PostgresException postgres ||
            postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57", StringComparison.Ordinal))
        {
            _dataSource.Clear();
        }
    }

    [LoggerMessage(EventId = 72, Level = LogLevel.Information,
        Message = "PostgreSQL journal opened on host {Host}, database {Database}, with sync = {Sync}: {Segments} segments hold events; {Removed} fully deleted ones removed")]
    private static partial void LogOpened(ILogger logger, string host, string database, JournalSync sync, int segments, int removed);
}
