using Microsoft.Extensions.Logging;
using Npgsql;
using OtelTailSampler.Persistence;
using OtelTailSampler.Tests.Export.File;

namespace OtelTailSampler.Tests.Persistence;

[Collection(PostgreSqlServerGroup.Name)]
public sealed class PostgreSqlJournalTests : JournalConformanceTests
{
    private static readonly SemaphoreSlim DatabaseGate = new(1, 1);
    private static string? _connectionString;

    private readonly PostgreSqlServerFixture _server;
    private readonly ListLogger<PostgreSqlJournal> _logger = new();

    public PostgreSqlJournalTests(PostgreSqlServerFixture server)
    {
        _server = server;
    }

    protected override IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> JournalLog => _logger.Entries;

    public override async Task InitializeAsync()
    {
        // One database for this class, made on first use; each test starts from no tables, as a new node would.
        await DatabaseGate.WaitAsync();
        try
        {
            _connectionString ??= await _server.CreateDatabaseAsync("postgresql_journal_tests");
        }
        finally
        {
            DatabaseGate.Release();
        }

        await ExecuteSqlAsync("DROP TABLE IF EXISTS event_journal, journal_metadata");
    }

    protected override async Task<IJournal> CreateJournalAsync(JournalSync sync) =>
        await PostgreSqlJournal.OpenAsync(
            new JournalOptions { Backend = JournalBackend.PostgreSql, Sync = sync, PostgreSqlConnectionString = _connectionString! },
            _logger, Time);

    protected override async Task<object?> ExecuteSqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(_connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }

    protected override async Task<IAsyncDisposable> MakeUnavailableAsync()
    {
        await _server.StopServerAsync();
        return new Restart(_server);
    }

    [Theory]
    [InlineData(JournalSync.Full, "on")]
    [InlineData(JournalSync.Normal, "off")]
    public async Task The_sync_mode_sets_synchronous_commit_on_the_journals_connections(JournalSync sync, string expected)
    {
        // The database default is made the opposite, so only the journal's own setting can give the expected value.
        var opposite = expected == "on" ? "off" : "on";
        await ExecuteSqlAsync($"ALTER DATABASE postgresql_journal_tests SET synchronous_commit = {opposite}");
        try
        {
            var journal = (PostgreSqlJournal)await OpenAsync(sync);

            Assert.Equal(expected, await journal.ShowSettingAsync("synchronous_commit"));
        }
        finally
        {
            await ExecuteSqlAsync("ALTER DATABASE postgresql_journal_tests RESET synchronous_commit");
        }
    }

    [Fact]
    public async Task Options_already_in_the_connection_string_are_kept()
    {
        var journal = await PostgreSqlJournal.OpenAsync(
            new JournalOptions
            {
                Backend = JournalBackend.PostgreSql,
                Sync = JournalSync.Normal,
                PostgreSqlConnectionString = _connectionString + ";Options=-c application_name=sampler-test",
            },
            _logger, Time);
        Track(journal);

        Assert.Equal("sampler-test", await journal.ShowSettingAsync("application_name"));
        Assert.Equal("off", await journal.ShowSettingAsync("synchronous_commit"));
    }

    private sealed class Restart(PostgreSqlServerFixture server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await server.StartServerAsync();
    }
}
