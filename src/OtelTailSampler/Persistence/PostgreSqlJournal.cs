using System.Data;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace OtelTailSampler.Persistence;

/// <summary>
/// The shared journal: tables in a PostgreSQL database that every node can reach, so a surviving node can replay
/// a dead node's shards. A write call costs two round trips and a commit whatever its size: one batch of statements
/// that claims each write's sequence range on its metadata row (a compare-and-set, which also serializes two nodes
/// that both believe they own a shard), then one INSERT of every event from arrays. Statements are auto-prepared.
/// <see cref="JournalSync"/> maps to the session's <c>synchronous_commit</c>.
/// </summary>
public sealed partial class PostgreSqlJournal : IJournal
{
    // Held while creating the tables, so nodes starting together do not race on CREATE TABLE IF NOT EXISTS.
    private const long SchemaLockKey = 0x4F54_534A_6F75_726E;

    private const string AdvanceSql = """
        UPDATE journal_metadata SET highest_sequence_nr = $1, stored_bytes = stored_bytes + $2
        WHERE persistence_id = $3 AND highest_sequence_nr = $4
        """;

    private const string InsertFirstSql = """
        INSERT INTO journal_metadata (persistence_id, highest_sequence_nr, deleted_to, stored_bytes)
        VALUES ($1, $2, 0, $3) ON CONFLICT (persistence_id) DO NOTHING
        """;

    private const string InsertEventsSql = """
        INSERT INTO event_journal (persistence_id, sequence_nr, event_type, written_at, checksum, payload)
        SELECT u.id, u.seq, u.type, $1, u.checksum, u.payload
        FROM unnest($2::text[], $3::bigint[], $4::integer[], $5::bigint[], $6::bytea[]) AS u(id, seq, type, checksum, payload)
        """;

    private const string MetadataSql = "SELECT highest_sequence_nr, deleted_to FROM journal_metadata WHERE persistence_id = $1";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgreSqlJournal> _logger;
    private readonly TimeProvider _time;

    private PostgreSqlJournal(NpgsqlDataSource dataSource, ILogger<PostgreSqlJournal> logger, TimeProvider time)
    {
        _dataSource = dataSource;
        _logger = logger;
        _time = time;
    }

    /// <summary>Connects, and creates the journal's tables when they are missing.</summary>
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
            LogOpened(logger, settings.Host ?? "", settings.Database ?? "", options.Sync);
            return new PostgreSqlJournal(dataSource, logger, timeProvider ?? TimeProvider.System);
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

        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            await using (var claims = new NpgsqlBatch(connection, transaction))
            {
                foreach (var write in writes)
                {
                    var expected = write.FirstSequenceNr - 1;
                    claims.BatchCommands.Add(expected == 0
                        ? Statement(InsertFirstSql, write.PersistenceId, write.HighestSequenceNr, write.PayloadBytes)
                        : Statement(AdvanceSql, write.HighestSequenceNr, write.PayloadBytes, write.PersistenceId, expected));
                }

                await claims.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < writes.Count; i++)
                {
                    if (claims.BatchCommands[i].RecordsAffected != 1)
                    {
                        var (highest, _) = await ReadMetadataAsync(connection, transaction, writes[i].PersistenceId, cancellationToken)
                            .ConfigureAwait(false);
                        throw new SequenceNumberConflictException(writes[i].PersistenceId, highest + 1, writes[i].FirstSequenceNr, i);
                    }
                }
            }

            var writtenAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var count = writes.Sum(write => write.Events.Count);
            var ids = new string[count];
            var sequenceNrs = new long[count];
            var types = new int[count];
            var checksums = new long[count];
            var payloads = new byte[count][];
            var row = 0;
            foreach (var write in writes)
            {
                for (var e = 0; e < write.Events.Count; e++, row++)
                {
                    var pending = write.Events[e];
                    ids[row] = write.PersistenceId;
                    sequenceNrs[row] = write.FirstSequenceNr + e;
                    types[row] = pending.EventType;
                    checksums[row] = JournalRecord.Checksum(write.PersistenceId, sequenceNrs[row], pending.EventType, writtenAt, pending.Payload.Span);
                    payloads[row] = JournalRecord.PayloadArray(pending.Payload);
                }
            }

            await using (var insert = new NpgsqlCommand(InsertEventsSql, connection, transaction))
            {
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = writtenAt });
                insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
                insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = sequenceNrs });
                insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = types });
                insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = checksums });
                insert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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
            var (highest, _) = await ReadMetadataAsync(connection, null, persistenceId, cancellationToken).ConfigureAwait(false);
            return highest;
        }
        catch (NpgsqlException e)
        {
            ForgetConnectionsAfter(e);
            throw;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JournalEvent> ReplayAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            yield break;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // Repeatable read: the metadata and the rows are one snapshot.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var (highest, deletedTo) = await ReadMetadataAsync(connection, transaction, persistenceId, cancellationToken).ConfigureAwait(false);
        var first = Math.Max(fromSequenceNr, deletedTo + 1);
        var last = Math.Min(toSequenceNr, highest);
        if (first > last)
        {
            yield break;
        }

        await using var rows = new NpgsqlCommand($"""
            SELECT {JournalRecord.ReplayColumns} FROM event_journal
            WHERE persistence_id = $1 AND sequence_nr BETWEEN $2 AND $3
            ORDER BY sequence_nr LIMIT $4
            """, connection, transaction);
        rows.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        rows.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first });
        rows.Parameters.Add(new NpgsqlParameter<long> { TypedValue = last });
        rows.Parameters.Add(new NpgsqlParameter<long> { TypedValue = max });
        await using var reader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var journalEvent in JournalRecord.VerifyAsync(reader, persistenceId, first, last, max, _logger, cancellationToken)
                           .ConfigureAwait(false))
        {
            yield return journalEvent;
        }
    }

    /// <inheritdoc />
    public async Task DeleteUpToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            long highest, deletedTo;
            await using (var metadata = new NpgsqlCommand(MetadataSql + " FOR UPDATE", connection, transaction))
            {
                metadata.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
                await using var reader = await metadata.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                highest = reader.GetInt64(0);
                deletedTo = reader.GetInt64(1);
            }

            var to = Math.Min(toSequenceNr, highest);
            if (to <= deletedTo)
            {
                return;
            }

            await using var delete = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    Statement("""
                        WITH deleted AS (DELETE FROM event_journal WHERE persistence_id = $1 AND sequence_nr <= $2 RETURNING octet_length(payload) AS n)
                        UPDATE journal_metadata SET deleted_to = $2,
                            stored_bytes = GREATEST(0, stored_bytes - (SELECT COALESCE(SUM(n), 0) FROM deleted))
                        WHERE persistence_id = $1
                        """, persistenceId, to),
                },
            };
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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
            await using var command = _dataSource.CreateCommand("SELECT COALESCE(SUM(stored_bytes), 0)::bigint FROM journal_metadata");
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
        await using var command = new NpgsqlCommand($"""
            SELECT pg_advisory_xact_lock({SchemaLockKey});
            CREATE TABLE IF NOT EXISTS event_journal (
                persistence_id text NOT NULL,
                sequence_nr bigint NOT NULL,
                event_type integer NOT NULL,
                written_at bigint NOT NULL,
                checksum bigint NOT NULL,
                payload bytea NOT NULL,
                PRIMARY KEY (persistence_id, sequence_nr)
            );
            CREATE TABLE IF NOT EXISTS journal_metadata (
                persistence_id text NOT NULL PRIMARY KEY,
                highest_sequence_nr bigint NOT NULL,
                deleted_to bigint NOT NULL DEFAULT 0,
                stored_bytes bigint NOT NULL DEFAULT 0
            );
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(long Highest, long DeletedTo)> ReadMetadataAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string persistenceId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(MetadataSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL journal opened on host {Host}, database {Database}, with sync = {Sync}")]
    private static partial void LogOpened(ILogger logger, string host, string database, JournalSync sync);
}
