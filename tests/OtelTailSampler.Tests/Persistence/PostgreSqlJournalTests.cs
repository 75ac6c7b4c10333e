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

        // The segment table's identity sequence goes with it; event_journal is the layout before segments.
        await ExecuteSqlAsync("DROP TABLE IF EXISTS journal_segment, journal_metadata, event_journal");
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

    protected override Task TruncateSegmentContentAsync(long segmentNr, int keepBytes) =>
        ExecuteSqlAsync("UPDATE journal_segment SET content = substring(content from 1 for @keep) WHERE segment_nr = @nr", ("keep", keepBytes), ("nr", segmentNr));

    protected override Task ZeroSegmentContentFromAsync(long segmentNr, int fromByte) =>
        ExecuteSqlAsync(
            "UPDATE journal_segment SET content = overlay(content placing decode(repeat('00', length(content) - @from), 'hex') from (@from + 1)) WHERE segment_nr = @nr",
            ("from", fromByte), ("nr", segmentNr));

    [Fact]
    public async Task A_role_that_may_only_use_the_tables_opens_a_journal_made_by_their_owner()
    {
        // An administrator makes the tables (here: the first node, as the owner) and grants a node's role DML only.
        var owner = await OpenAsync();
        await owner.WriteAsync([Write("p", 1, 1)]);
        await ExecuteSqlAsync("""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'journal_writer') THEN CREATE ROLE journal_writer LOGIN; END IF;
            END $$;
            GRANT SELECT, INSERT, UPDATE, DELETE ON journal_segment, journal_metadata TO journal_writer;
            """);

        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Username = "journal_writer" };
        var writer = Track(await PostgreSqlJournal.OpenAsync(
            new JournalOptions { Backend = JournalBackend.PostgreSql, PostgreSqlConnectionString = builder.ConnectionString }, _logger, Time));
        await writer.WriteAsync([Write("p", 2, 1)]);

        Assert.Equal(2, await writer.ReadHighestSequenceNrAsync("p"));
    }

    [Fact]
    public async Task Commits_and_truncations_of_the_same_shards_never_deadlock()
    {
        // A commit claims its shards' metadata rows and a truncation marks them deleted, both in one transaction. In
        // different orders the two deadlock, and the server breaks it only after deadlock_timeout (1 s), aborting one:
        // ingestion stalls. Here each commit lists its shards in a shuffled order, as requests do.
        var journal = await OpenAsync();
        const int Shards = 40;
        var next = new long[Shards];
        var random = new Random(7);
        for (var round = 0; round < 60; round++)
        {
            var order = Enumerable.Range(0, Shards).ToArray();
            random.Shuffle(order);
            var writes = order.Select(shard => new AtomicWrite($"shard-{shard:D4}", ++next[shard], 1, new byte[16])).ToList();
            var deletions = Enumerable.Range(0, Shards).Select(shard => ($"shard-{shard:D4}", next[shard] - 1)).ToList();

            await Task.WhenAll(journal.WriteAsync(writes), journal.DeleteUpToAsync(deletions), journal.DeleteUpToAsync(deletions));
        }

        Assert.DoesNotContain(_logger.Entries, entry => entry.Level >= LogLevel.Warning);
        Assert.Equal(60, await journal.ReadHighestSequenceNrAsync("shard-0000"));
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

    [Fact]
    public async Task A_database_with_the_earlier_one_row_per_event_layout_is_refused_and_left_as_it_is()
    {
        // Tables as the version before segments left them.
        await ExecuteSqlAsync("""
            CREATE TABLE event_journal (
                persistence_id text NOT NULL, sequence_nr bigint NOT NULL, event_type integer NOT NULL,
                written_at bigint NOT NULL, checksum bigint NOT NULL, payload bytea NOT NULL,
                PRIMARY KEY (persistence_id, sequence_nr));
            CREATE TABLE journal_metadata (
                persistence_id text NOT NULL PRIMARY KEY, highest_sequence_nr bigint NOT NULL,
                deleted_to bigint NOT NULL DEFAULT 0, stored_bytes bigint NOT NULL DEFAULT 0);
            INSERT INTO event_journal VALUES ('shard-0001', 1, 1, 0, 0, '\x0102');
            INSERT INTO journal_metadata VALUES ('shard-0001', 1, 0, 2);
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateJournalAsync(JournalSync.Full));

        Assert.Contains("event_journal", error.Message, StringComparison.Ordinal);
        Assert.Contains("earlier layout", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await ExecuteSqlAsync("SELECT COUNT(*) FROM event_journal"));
        Assert.Equal(2L, await ExecuteSqlAsync("SELECT stored_bytes FROM journal_metadata WHERE persistence_id = 'shard-0001'"));
        Assert.Equal(true, await ExecuteSqlAsync("SELECT to_regclass('journal_segment') IS NULL"));
    }

    private sealed class Restart(PostgreSqlServerFixture server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await server.StartServerAsync();
    }
}
