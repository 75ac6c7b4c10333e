using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Persistence;
using OtelTailSampler.Tests.Configuration;
using OtelTailSampler.Tests.Export.File;

namespace OtelTailSampler.Tests.Persistence;

public sealed class SqliteJournalTests : JournalConformanceTests, IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly ListLogger<SqliteJournal> _logger = new();

    protected override IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> JournalLog => _logger.Entries;

    private JournalOptions Options(JournalSync sync) => new()
    {
        Backend = JournalBackend.Sqlite,
        Sync = sync,
        SqlitePath = Path.Combine(_directory.Path, "journal"),
        // The shortest wait the driver allows, so the unavailable-journal test fails its write within a second.
        SqliteBusyTimeout = TimeSpan.FromSeconds(1),
    };

    private string FilePath => Options(JournalSync.Full).SqliteFilePath;

    // xunit calls this after DisposeAsync, once the journals are closed.
    public void Dispose() => _directory.Dispose();

    protected override Task<IJournal> CreateJournalAsync(JournalSync sync) =>
        Task.FromResult<IJournal>(SqliteJournal.Open(Options(sync), _logger, Time));

    protected override async Task<object?> ExecuteSqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = OpenSideConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue("@" + name, value);
        }

        return await command.ExecuteScalarAsync();
    }

    protected override Task<IAsyncDisposable> MakeUnavailableAsync()
    {
        // Tests run as root, for whom a read-only file is still writable: another process holding SQLite's write
        // lock (a backup, an operator's sqlite3 shell) is the unavailability that can be made here.
        var connection = OpenSideConnection();
        using (var begin = connection.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }

        return Task.FromResult<IAsyncDisposable>(new LockHolder(connection));
    }

    // substr counts bytes in a BLOB and returns a BLOB.
    protected override Task TruncateSegmentContentAsync(long segmentNr, int keepBytes) =>
        ExecuteSqlAsync("UPDATE journal_segment SET content = substr(content, 1, @keep) WHERE segment_nr = @nr", ("keep", keepBytes), ("nr", segmentNr));

    // || makes TEXT of the bytes (all of them, zeros included); the CAST makes it a BLOB again.
    protected override Task ZeroSegmentContentFromAsync(long segmentNr, int fromByte) =>
        ExecuteSqlAsync(
            "UPDATE journal_segment SET content = CAST(substr(content, 1, @from) || zeroblob(length(content) - @from) AS BLOB) WHERE segment_nr = @nr",
            ("from", fromByte), ("nr", segmentNr));

    [Fact]
    public async Task The_journal_file_is_created_in_the_configured_directory_in_wal_mode()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("p", 1, 1)]);

        Assert.True(File.Exists(FilePath));
        Assert.Equal(Path.GetFullPath(FilePath), ((SqliteJournal)journal).FilePath);
        Assert.Equal("wal", await ExecuteSqlAsync("PRAGMA journal_mode"));
        Assert.Equal(2L, await ExecuteSqlAsync("PRAGMA user_version"));
    }

    [Fact]
    public async Task A_journal_of_a_newer_schema_version_is_refused()
    {
        await (await OpenAsync()).DisposeAsync();
        await ExecuteSqlAsync("PRAGMA user_version = 99");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateJournalAsync(JournalSync.Full));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_journal_of_the_earlier_one_row_per_event_layout_is_refused_and_left_as_it_is()
    {
        // A file as the version before segments left it: schema version 1, one row per event.
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        await ExecuteSqlAsync("""
            CREATE TABLE event_journal (
                persistence_id TEXT NOT NULL, sequence_nr INTEGER NOT NULL, event_type INTEGER NOT NULL,
                written_at INTEGER NOT NULL, checksum INTEGER NOT NULL, payload BLOB NOT NULL,
                PRIMARY KEY (persistence_id, sequence_nr)) WITHOUT ROWID;
            CREATE TABLE journal_metadata (
                persistence_id TEXT NOT NULL PRIMARY KEY, highest_sequence_nr INTEGER NOT NULL,
                deleted_to INTEGER NOT NULL DEFAULT 0, stored_bytes INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            INSERT INTO event_journal VALUES ('shard-0001', 1, 1, 0, 0, x'0102');
            INSERT INTO journal_metadata VALUES ('shard-0001', 1, 0, 2);
            PRAGMA user_version = 1;
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateJournalAsync(JournalSync.Full));

        Assert.Contains("schema version 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("earlier layout", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(FilePath), error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await ExecuteSqlAsync("PRAGMA user_version"));
        Assert.Equal(1L, await ExecuteSqlAsync("SELECT COUNT(*) FROM event_journal"));
        Assert.Equal(0L, await ExecuteSqlAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = 'journal_segment'"));
    }

    [Fact]
    public async Task A_segment_garbled_into_text_is_damage_not_a_failure()
    {
        // SQLite keeps whatever type is stored in a column: a BLOB overwritten with TEXT still has to read as damage.
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("p", 1, 2)]);
        var garbled = await WriteSegmentAsync(journal, Write("p", 3, 1));
        await ExecuteSqlAsync("UPDATE journal_segment SET content = 'not a segment', written_at = 'yesterday' WHERE segment_nr = @nr", ("nr", garbled));

        var events = new List<long>();
        await foreach (var e in journal.ReplayAsync("p", 1, long.MaxValue, long.MaxValue))
        {
            events.Add(e.SequenceNr);
        }

        Assert.Equal([1L, 2L], events);
        var error = Assert.Single(JournalLog, entry => entry.Level >= LogLevel.Warning);
        Assert.Contains("sequence number 3", error.Message, StringComparison.Ordinal);
    }

    private SqliteConnection OpenSideConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private sealed class LockHolder(SqliteConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var rollback = connection.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK";
                await rollback.ExecuteNonQueryAsync();
            }

            await connection.DisposeAsync();
        }
    }
}
