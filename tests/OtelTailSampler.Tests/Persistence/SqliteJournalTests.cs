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

    [Fact]
    public async Task The_journal_file_is_created_in_the_configured_directory_in_wal_mode()
    {
        var journal = await OpenAsync();
        await journal.WriteAsync([Write("p", 1, 1)]);

        Assert.True(File.Exists(FilePath));
        Assert.Equal(Path.GetFullPath(FilePath), ((SqliteJournal)journal).FilePath);
        Assert.Equal("wal", await ExecuteSqlAsync("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task A_journal_of_a_newer_schema_version_is_refused()
    {
        await (await OpenAsync()).DisposeAsync();
        await ExecuteSqlAsync("PRAGMA user_version = 99");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateJournalAsync(JournalSync.Full));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
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
