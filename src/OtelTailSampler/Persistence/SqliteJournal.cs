using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OtelTailSampler.Persistence;

/// <summary>
/// The embedded journal: one SQLite file in WAL mode. All writes go through one connection with prepared
/// statements, one at a time (SQLite has a single writer anyway); reads use their own pooled connections, which WAL
/// lets run beside the writer. A commit with <see cref="JournalSync.Full"/> fsyncs the WAL; with
/// <see cref="JournalSync.Normal"/> it only reaches the OS, and the WAL is synced at checkpoints.
/// </summary>
public sealed partial class SqliteJournal : IJournal
{
    private const int SchemaVersion = 1;

    private readonly string _connectionString;
    private readonly ILogger<SqliteJournal> _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection _writer;
    private readonly SqliteCommand _advance;
    private readonly SqliteCommand _insertFirst;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _readHighest;
    private bool _disposed;

    private SqliteJournal(string connectionString, SqliteConnection writer, ILogger<SqliteJournal> logger, TimeProvider time)
    {
        _connectionString = connectionString;
        _writer = writer;
        _logger = logger;
        _time = time;

        // Prepared once, rebound per row: SQLite keeps the compiled statement with the command.
        _advance = Prepare("""
            UPDATE journal_metadata SET highest_sequence_nr = $highest, stored_bytes = stored_bytes + $bytes
            WHERE persistence_id = $id AND highest_sequence_nr = $expected
            """, "$highest", "$bytes", "$id", "$expected");
        _insertFirst = Prepare("""
            INSERT INTO journal_metadata (persistence_id, highest_sequence_nr, deleted_to, stored_bytes)
            VALUES ($id, $highest, 0, $bytes) ON CONFLICT (persistence_id) DO NOTHING
            """, "$id", "$highest", "$bytes");
        _insertEvent = Prepare("""
            INSERT INTO event_journal (persistence_id, sequence_nr, event_type, written_at, checksum, payload)
            VALUES ($id, $seq, $type, $written, $checksum, $payload)
            """, "$id", "$seq", "$type", "$written", "$checksum", "$payload");
        _readHighest = Prepare("SELECT highest_sequence_nr FROM journal_metadata WHERE persistence_id = $id", "$id");
    }

    /// <summary>The database file.</summary>
    public string FilePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    /// <summary>Opens (creating when missing) the journal file at <see cref="JournalOptions.SqliteFilePath"/>.</summary>
    public static SqliteJournal Open(JournalOptions options, ILogger<SqliteJournal> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SqlitePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SqliteFileName);

        Directory.CreateDirectory(options.SqlitePath);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(options.SqliteFilePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database until this many seconds have passed.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.SqliteBusyTimeout.TotalSeconds)),
        }.ToString();

        var writer = new SqliteConnection(connectionString);
        try
        {
            writer.Open();
            Initialize(writer, options.Sync);
            var journal = new SqliteJournal(connectionString, writer, logger, timeProvider ?? TimeProvider.System);
            LogOpened(logger, journal.FilePath, options.Sync);
            return journal;
        }
        catch
        {
            writer.Dispose();
            SqliteConnection.ClearPool(writer);
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

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var writtenAt = _time.GetUtcNow().ToUnixTimeMilliseconds();

            // BEGIN IMMEDIATE: the write lock is taken up front, so a busy database fails here, before any work.
            using var transaction = _writer.BeginTransaction(deferred: false);
            for (var i = 0; i < writes.Count; i++)
            {
                var write = writes[i];
                var expected = write.FirstSequenceNr - 1;
                var claim = expected == 0 ? _insertFirst : _advance;
                claim.Transaction = transaction;
                claim.Parameters["$id"].Value = write.PersistenceId;
                claim.Parameters["$highest"].Value = write.HighestSequenceNr;
                claim.Parameters["$bytes"].Value = write.PayloadBytes;
                if (claim == _advance)
                {
                    claim.Parameters["$expected"].Value = expected;
                }

                if (claim.ExecuteNonQuery() != 1)
                {
                    throw new SequenceNumberConflictException(
                        write.PersistenceId, ReadHighest(transaction, write.PersistenceId) + 1, write.FirstSequenceNr, i);
                }

                _insertEvent.Transaction = transaction;
                _insertEvent.Parameters["$id"].Value = write.PersistenceId;
                _insertEvent.Parameters["$written"].Value = writtenAt;
                for (var e = 0; e < write.Events.Count; e++)
                {
                    var pending = write.Events[e];
                    var sequenceNr = write.FirstSequenceNr + e;
                    _insertEvent.Parameters["$seq"].Value = sequenceNr;
                    _insertEvent.Parameters["$type"].Value = pending.EventType;
                    _insertEvent.Parameters["$checksum"].Value =
                        JournalRecord.Checksum(write.PersistenceId, sequenceNr, pending.EventType, writtenAt, pending.Payload.Span);
                    _insertEvent.Parameters["$payload"].Value = JournalRecord.PayloadArray(pending.Payload);
                    _insertEvent.ExecuteNonQuery();
                }
            }

            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT highest_sequence_nr FROM journal_metadata WHERE persistence_id = $id";
        command.Parameters.AddWithValue("$id", persistenceId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long highest ? highest : 0;
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

        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);

        // One read transaction, so the metadata and the rows are the same snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var metadata = connection.CreateCommand();
        metadata.Transaction = transaction;
        metadata.CommandText = "SELECT highest_sequence_nr, deleted_to FROM journal_metadata WHERE persistence_id = $id";
        metadata.Parameters.AddWithValue("$id", persistenceId);
        long highest, deletedTo;
        await using (var reader = await metadata.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            highest = reader.GetInt64(0);
            deletedTo = reader.GetInt64(1);
        }

        var first = Math.Max(fromSequenceNr, deletedTo + 1);
        var last = Math.Min(toSequenceNr, highest);
        if (first > last)
        {
            yield break;
        }

        await using var rows = connection.CreateCommand();
        rows.Transaction = transaction;
        rows.CommandText = $"""
            SELECT {JournalRecord.ReplayColumns} FROM event_journal
            WHERE persistence_id = $id AND sequence_nr BETWEEN $first AND $last
            ORDER BY sequence_nr LIMIT $max
            """;
        rows.Parameters.AddWithValue("$id", persistenceId);
        rows.Parameters.AddWithValue("$first", first);
        rows.Parameters.AddWithValue("$last", last);
        rows.Parameters.AddWithValue("$max", max);
        await using var rowReader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var journalEvent in JournalRecord.VerifyAsync(rowReader, persistenceId, first, last, max, _logger, cancellationToken)
                           .ConfigureAwait(false))
        {
            yield return journalEvent;
        }
    }

    /// <inheritdoc />
    public async Task DeleteUpToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _writer.BeginTransaction(deferred: false);
            using var metadata = Command(transaction, "SELECT highest_sequence_nr, deleted_to FROM journal_metadata WHERE persistence_id = $id");
            metadata.Parameters.AddWithValue("$id", persistenceId);
            long highest, deletedTo;
            using (var reader = metadata.ExecuteReader())
            {
                if (!reader.Read())
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

            using var delete = Command(transaction, """
                DELETE FROM event_journal WHERE persistence_id = $id AND sequence_nr <= $to RETURNING length(payload)
                """);
            delete.Parameters.AddWithValue("$id", persistenceId);
            delete.Parameters.AddWithValue("$to", to);
            long freed = 0;
            using (var reader = delete.ExecuteReader())
            {
                while (reader.Read())
                {
                    freed += reader.GetInt64(0);
                }
            }

            using var update = Command(transaction, """
                UPDATE journal_metadata SET deleted_to = $to, stored_bytes = max(0, stored_bytes - $freed) WHERE persistence_id = $id
                """);
            update.Parameters.AddWithValue("$id", persistenceId);
            update.Parameters.AddWithValue("$to", to);
            update.Parameters.AddWithValue("$freed", freed);
            update.ExecuteNonQuery();
            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> PersistenceIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT persistence_id FROM journal_metadata ORDER BY persistence_id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.GetString(0);
        }
    }

    /// <inheritdoc />
    public async Task<long> ApproximateSizeBytesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(stored_bytes), 0) FROM journal_metadata";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits for a write in progress, checkpoints the WAL into the database file, and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                // Folds the WAL into the main file so a stopped node leaves one file behind; not needed for safety.
                using var checkpoint = Command(null, "PRAGMA wal_checkpoint(TRUNCATE)");
                checkpoint.ExecuteNonQuery();
            }
            catch (SqliteException e)
            {
                LogCheckpointFailed(_logger, FilePath, e);
            }

            foreach (var command in new[] { _advance, _insertFirst, _insertEvent, _readHighest })
            {
                command.Dispose();
            }

            _writer.Dispose();
            SqliteConnection.ClearPool(_writer);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static void Initialize(SqliteConnection writer, JournalSync sync)
    {
        using (var mode = writer.CreateCommand())
        {
            mode.CommandText = "PRAGMA journal_mode = WAL";
            var result = mode.ExecuteScalar() as string;
            if (!string.Equals(result, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite journal could not switch to WAL mode (it reports '{result}')");
            }
        }

        using var setup = writer.CreateCommand();
        setup.CommandText = $"""
            PRAGMA synchronous = {(sync == JournalSync.Full ? "FULL" : "NORMAL")};
            CREATE TABLE IF NOT EXISTS event_journal (
                persistence_id TEXT NOT NULL,
                sequence_nr INTEGER NOT NULL,
                event_type INTEGER NOT NULL,
                written_at INTEGER NOT NULL,
                checksum INTEGER NOT NULL,
                payload BLOB NOT NULL,
                PRIMARY KEY (persistence_id, sequence_nr)
            );
            CREATE TABLE IF NOT EXISTS journal_metadata (
                persistence_id TEXT NOT NULL PRIMARY KEY,
                highest_sequence_nr INTEGER NOT NULL,
                deleted_to INTEGER NOT NULL DEFAULT 0,
                stored_bytes INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID;
            PRAGMA user_version;
            """;
        var version = Convert.ToInt32(setup.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new InvalidOperationException(
                $"SQLite journal {writer.DataSource} has schema version {version}, newer than this version of the sampler understands ({SchemaVersion})");
        }

        using var stamp = writer.CreateCommand();
        stamp.CommandText = $"PRAGMA user_version = {SchemaVersion}";
        stamp.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] parameterNames)
    {
        var command = _writer.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private SqliteCommand Command(SqliteTransaction? transaction, string sql)
    {
        var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private long ReadHighest(SqliteTransaction transaction, string persistenceId)
    {
        _readHighest.Transaction = transaction;
        _readHighest.Parameters["$id"].Value = persistenceId;
        return _readHighest.ExecuteScalar() is long highest ? highest : 0;
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite journal opened at {Path} with sync = {Sync}")]
    private static partial void LogOpened(ILogger logger, string path, JournalSync sync);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite journal {Path} could not checkpoint its WAL on close; it will on next open")]
    private static partial void LogCheckpointFailed(ILogger logger, string path, Exception exception);
}
