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
    private const int SchemaVersion = 2;

    // About what SQLite's own auto-checkpoint (1,000 pages) lets the WAL reach before copying it into the database.
    private const long CheckpointEveryBytes = 4 * 1024 * 1024;
    private const long WalSizeLimitBytes = 64 * 1024 * 1024;
    private const int SegmentsDroppedPerTransaction = 16;

    private readonly string _connectionString;
    private readonly ILogger<SqliteJournal> _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection _writer;
    private readonly SqliteCommand _advance;
    private readonly SqliteCommand _insertFirst;
    private readonly SqliteCommand _insertSegment;
    private readonly SqliteCommand _readMetadata;
    private readonly SqliteCommand _markDeleted;
    private readonly SqliteCommand _deleteSegment;
    private readonly SegmentIndex _segments = new();

    // Segments every id has been deleted past, not yet dropped (a drop failed); guarded by the write lock.
    private readonly List<long> _droppable = [];
    private readonly SemaphoreSlim _checkpointDue = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _checkpointer;
    private long _walBytesSinceCheckpoint;
    private volatile bool _backgroundCheckpointDone;
    private bool _disposed;

    private SqliteJournal(string connectionString, SqliteConnection writer, ILogger<SqliteJournal> logger, TimeProvider time)
    {
        _connectionString = connectionString;
        _writer = writer;
        _logger = logger;
        _time = time;

        // Prepared once, rebound per use: SQLite keeps the compiled statement with the command.
        _advance = Prepare("""
            UPDATE journal_metadata SET highest_sequence_nr = $highest WHERE persistence_id = $id AND highest_sequence_nr = $expected
            """, "$highest", "$id", "$expected");
        _insertFirst = Prepare("""
            INSERT INTO journal_metadata (persistence_id, highest_sequence_nr, deleted_to)
            VALUES ($id, $highest, 0) ON CONFLICT (persistence_id) DO NOTHING
            """, "$id", "$highest");
        _insertSegment = Prepare("""
            INSERT INTO journal_segment (written_at, checksum, stored_bytes, summary, content)
            VALUES ($written, $checksum, $bytes, $summary, $content) RETURNING segment_nr
            """, "$written", "$checksum", "$bytes", "$summary", "$content");
        _readMetadata = Prepare("SELECT highest_sequence_nr, deleted_to FROM journal_metadata WHERE persistence_id = $id", "$id");
        _markDeleted = Prepare("""
            UPDATE journal_metadata SET deleted_to = min($to, highest_sequence_nr)
            WHERE persistence_id = $id AND min($to, highest_sequence_nr) > deleted_to RETURNING deleted_to
            """, "$to", "$id");
        _deleteSegment = Prepare("DELETE FROM journal_segment WHERE segment_nr = $nr", "$nr");
        _checkpointer = Task.Run(CheckpointLoopAsync);
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
            var (segments, dropped) = journal.LoadSegments();
            LogOpened(logger, journal.FilePath, options.Sync, segments, dropped);
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

        // Encoded (and deflated) before taking the lock, so a truncation waiting for it does not wait for this too.
        var writtenAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var claims = SequenceClaims.Of(writes);
        var segment = JournalSegment.Encode(writes, writtenAt);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // BEGIN IMMEDIATE: the write lock is taken up front, so a busy database fails here, before any work.
            using var transaction = _writer.BeginTransaction(deferred: false);
            foreach (var claim in claims)
            {
                var command = claim.Expected == 0 ? _insertFirst : _advance;
                command.Transaction = transaction;
                command.Parameters["$id"].Value = claim.PersistenceId;
                command.Parameters["$highest"].Value = claim.Highest;
                if (command == _advance)
                {
                    command.Parameters["$expected"].Value = claim.Expected;
                }

                if (command.ExecuteNonQuery() != 1)
                {
                    throw new SequenceNumberConflictException(
                        claim.PersistenceId, ReadMetadata(transaction, claim.PersistenceId).HighestSequenceNr + 1, claim.Expected + 1, claim.WriteIndex);
                }
            }

            _insertSegment.Transaction = transaction;
            _insertSegment.Parameters["$written"].Value = writtenAt;
            _insertSegment.Parameters["$checksum"].Value = segment.Checksum;
            _insertSegment.Parameters["$bytes"].Value = segment.StoredBytes;
            _insertSegment.Parameters["$summary"].Value = segment.Summary;
            _insertSegment.Parameters["$content"].Value = segment.Content;
            var segmentNr = (long)_insertSegment.ExecuteScalar()!;
            transaction.Commit();
            if (_segments.Add(segmentNr, segment.Entries))
            {
                // Deleted past already (not while this lock is held, but the index allows it): drop it now.
                using var drop = _writer.BeginTransaction(deferred: false);
                DeleteSegments(drop, [segmentNr]);
                drop.Commit();
            }

            CountWalBytes(segment.StoredBytes + claims.Count * 64);
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
        if (deletions.Count == 0)
        {
            return;
        }

        List<long> dead;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var marks = new List<(string PersistenceId, long To)>(deletions.Count);
            using (var transaction = _writer.BeginTransaction(deferred: false))
            {
                _markDeleted.Transaction = transaction;
                foreach (var (persistenceId, toSequenceNr) in deletions)
                {
                    _markDeleted.Parameters["$id"].Value = persistenceId;
                    _markDeleted.Parameters["$to"].Value = toSequenceNr;
                    if (_markDeleted.ExecuteScalar() is long to)
                    {
                        marks.Add((persistenceId, to));
                    }
                }

                transaction.Commit();
            }

            CountWalBytes(deletions.Count * 64);

            // Only marks that are committed may make a segment droppable: a segment dropped on the strength of a mark
            // that then failed would leave a gap in the other ids it holds.
            foreach (var (persistenceId, to) in marks)
            {
                _segments.Delete(persistenceId, to, _droppable);
            }

            dead = [.. _droppable];
            _droppable.Clear();
        }
        finally
        {
            _writeLock.Release();
        }

        // Dropping a segment walks its overflow pages; a few at a time, so commits waiting for the lock wait little.
        for (var first = 0; first < dead.Count; first += SegmentsDroppedPerTransaction)
        {
            var chunk = dead.GetRange(first, Math.Min(SegmentsDroppedPerTransaction, dead.Count - first));
            await _writeLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (_disposed)
                {
                    // Dropped at the next open, which finds them fully deleted.
                    return;
                }

                using var transaction = _writer.BeginTransaction(deferred: false);
                DeleteSegments(transaction, chunk);
                transaction.Commit();
                CountWalBytes(chunk.Count * 4096);
            }
            catch
            {
                // Offered again with the next deletion.
                _droppable.AddRange(dead.Skip(first));
                throw;
            }
            finally
            {
                _writeLock.Release();
            }
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
        command.CommandText = "SELECT COALESCE(SUM(stored_bytes), 0) FROM journal_segment";
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
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _checkpointer.ConfigureAwait(false);
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

            foreach (var command in new[] { _advance, _insertFirst, _insertSegment, _readMetadata, _markDeleted, _deleteSegment })
            {
                command.Dispose();
            }

            _writer.Dispose();
            SqliteConnection.ClearPool(_writer);
            _stopping.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // Called by the writer after each commit, under the write lock. The background checkpoint copies the bulk of
    // the WAL while commits go on; the frames committed meanwhile are copied here, a few at most, so that the WAL
    // is fully copied and the next commit starts it over from the beginning. Without this last step a WAL under
    // steady load never restarts: it grows, and every commit that extends the file waits for the file system's
    // metadata journal, which also flushes the checkpoint's writes.
    private void CountWalBytes(long bytes)
    {
        if (_backgroundCheckpointDone)
        {
            _backgroundCheckpointDone = false;
            try
            {
                using var finish = Command(null, "PRAGMA wal_checkpoint(PASSIVE)");
                finish.ExecuteNonQuery();
            }
            catch (SqliteException e)
            {
                LogCheckpointFailed(_logger, FilePath, e);
            }
        }

        _walBytesSinceCheckpoint += bytes;
        if (_walBytesSinceCheckpoint >= CheckpointEveryBytes && _checkpointDue.CurrentCount == 0)
        {
            _walBytesSinceCheckpoint = 0;
            _checkpointDue.Release();
        }
    }

    // Copies the WAL into the database file beside the writer, not in its commits: a checkpoint reads and writes
    // megabytes and syncs the database file, which would otherwise stall the one commit that ran it.
    private async Task CheckpointLoopAsync()
    {
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            while (true)
            {
                await _checkpointDue.WaitAsync(_stopping.Token).ConfigureAwait(false);
                try
                {
                    if (connection.State != System.Data.ConnectionState.Open)
                    {
                        await connection.OpenAsync(_stopping.Token).ConfigureAwait(false);
                    }

                    await using var checkpoint = connection.CreateCommand();
                    checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                    await checkpoint.ExecuteNonQueryAsync(_stopping.Token).ConfigureAwait(false);
                    _backgroundCheckpointDone = true;
                }
                catch (SqliteException e)
                {
                    // The next one copies what this one did not; the WAL only grows meanwhile.
                    LogCheckpointFailed(_logger, FilePath, e);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
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
        // Checkpoints run on their own connection (see CheckpointLoopAsync), so a commit never waits for one; the WAL
        // file is cut back to a bounded size whenever a checkpoint lets it restart.
        setup.CommandText = $"""
            PRAGMA synchronous = {(sync == JournalSync.Full ? "FULL" : "NORMAL")};
            PRAGMA wal_autocheckpoint = 0;
            PRAGMA journal_size_limit = {WalSizeLimitBytes};
            """;
        setup.ExecuteNonQuery();
        using var readVersion = writer.CreateCommand();
        readVersion.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(readVersion.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new InvalidOperationException(
                $"SQLite journal {writer.DataSource} has schema version {version}, newer than this version of the sampler understands ({SchemaVersion})");
        }

        if (version is > 0 and < SchemaVersion)
        {
            throw new InvalidOperationException(
                $"SQLite journal {writer.DataSource} has schema version {version}, an earlier layout (one row per event) that this version " +
                $"does not read: let the version that wrote it drain it, or move the file away to start empty");
        }

        // One row per commit (a segment of many events); the metadata row of an id holds its sequence numbers.
        // AUTOINCREMENT: a segment number is never reused, so a journal that still lists a dropped segment can
        // never drop a newer one under the same number (two journals on one file).
        using var create = writer.CreateCommand();
        create.CommandText = $"""
            CREATE TABLE IF NOT EXISTS journal_segment (
                segment_nr INTEGER PRIMARY KEY AUTOINCREMENT,
                written_at INTEGER NOT NULL,
                checksum INTEGER NOT NULL,
                stored_bytes INTEGER NOT NULL,
                summary BLOB NOT NULL,
                content BLOB NOT NULL
            );
            CREATE TABLE IF NOT EXISTS journal_metadata (
                persistence_id TEXT NOT NULL PRIMARY KEY,
                highest_sequence_nr INTEGER NOT NULL,
                deleted_to INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID;
            PRAGMA user_version = {SchemaVersion};
            """;
        create.ExecuteNonQuery();
    }

    // Learns which stored segments hold events not yet deleted, and drops those that hold none.
    private (int Live, int Dropped) LoadSegments()
    {
        var deletedTo = new List<(string, long)>();
        using (var metadata = Command(null, "SELECT persistence_id, deleted_to FROM journal_metadata WHERE deleted_to > 0"))
        using (var reader = metadata.ExecuteReader())
        {
            while (reader.Read())
            {
                deletedTo.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        var dead = new List<long>();
        using (var segments = Command(null, "SELECT segment_nr, summary FROM journal_segment ORDER BY segment_nr"))
        using (var reader = segments.ExecuteReader())
        {
            while (reader.Read())
            {
                // A segment whose summary is damaged is kept: replay reports it.
                if (JournalSegment.TryReadSummary(reader.GetFieldValue<byte[]>(1), out var entries))
                {
                    _segments.Add(reader.GetInt64(0), entries);
                }
            }
        }

        foreach (var (persistenceId, to) in deletedTo)
        {
            _segments.Delete(persistenceId, to, dead);
        }

        if (dead.Count > 0)
        {
            using var transaction = _writer.BeginTransaction(deferred: false);
            DeleteSegments(transaction, dead);
            transaction.Commit();
        }

        return (_segments.LiveSegments, dead.Count);
    }

    private void DeleteSegments(SqliteTransaction transaction, List<long> segmentNrs)
    {
        _deleteSegment.Transaction = transaction;
        foreach (var segmentNr in segmentNrs)
        {
            _deleteSegment.Parameters["$nr"].Value = segmentNr;
            _deleteSegment.ExecuteNonQuery();
        }
    }

    private async IAsyncEnumerable<JournalEvent> ReplayCoreAsync(
        string? persistenceId, long fromSequenceNr, long toSequenceNr, long max, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            yield break;
        }

        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);

        // One read transaction, so the metadata and the segments are the same snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var metadata = new Dictionary<string, JournalMetadata>(StringComparer.Ordinal);
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT persistence_id, highest_sequence_nr, deleted_to FROM journal_metadata" +
                               (persistenceId is null ? "" : " WHERE persistence_id = $id");
            if (persistenceId is not null)
            {
                read.Parameters.AddWithValue("$id", persistenceId);
            }

            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                metadata[reader.GetString(0)] = new JournalMetadata(reader.GetInt64(1), reader.GetInt64(2));
            }
        }

        if (metadata.Count == 0)
        {
            yield break;
        }

        await using var rows = connection.CreateCommand();
        rows.Transaction = transaction;
        rows.CommandText = $"SELECT {SegmentReplay.Columns} FROM journal_segment ORDER BY segment_nr";
        await using var rowReader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var journalEvent in SegmentReplay.ReadAsync(
                           rowReader, metadata, persistenceId, fromSequenceNr, toSequenceNr, max, _logger, cancellationToken).ConfigureAwait(false))
        {
            yield return journalEvent;
        }
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

    private JournalMetadata ReadMetadata(SqliteTransaction transaction, string persistenceId)
    {
        _readMetadata.Transaction = transaction;
        _readMetadata.Parameters["$id"].Value = persistenceId;
        using var reader = _readMetadata.ExecuteReader();
        return reader.Read() ? new JournalMetadata(reader.GetInt64(0), reader.GetInt64(1)) : default;
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

    [LoggerMessage(EventId = 70, Level = LogLevel.Information,
        Message = "SQLite journal opened at {Path} with sync = {Sync}: {Segments} segments hold events; {Removed} fully deleted ones removed")]
    private static partial void LogOpened(ILogger logger, string path, JournalSync sync, int segments, int removed);

    [LoggerMessage(EventId = 71, Level = LogLevel.Warning, Message = "SQLite journal {Path} could not checkpoint its WAL; a later checkpoint (at the latest the next open) copies it")]
    private static partial void LogCheckpointFailed(ILogger logger, string path, Exception exception);
}
