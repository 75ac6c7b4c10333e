using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>The plugin over the PostgreSQL journal, on the tests' own server; each test starts from no tables.</summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class PostgreSqlSegmentJournalPluginTests(PostgreSqlServerFixture server) : SegmentJournalPluginTests
{
    private static readonly SemaphoreSlim DatabaseGate = new(1, 1);
    private static string? _connectionString;

    protected override async Task<IJournal> OpenJournalAsync()
    {
        await DatabaseGate.WaitAsync();
        try
        {
            _connectionString ??= await server.CreateDatabaseAsync("segment_journal_plugin_tests");
        }
        finally
        {
            DatabaseGate.Release();
        }

        await using (var connection = new NpgsqlConnection(_connectionString + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand("DROP TABLE IF EXISTS journal_segment, journal_metadata", connection);
            await drop.ExecuteNonQueryAsync();
        }

        return await PostgreSqlJournal.OpenAsync(
            new JournalOptions { Backend = JournalBackend.PostgreSql, PostgreSqlConnectionString = _connectionString }, NullLogger<PostgreSqlJournal>.Instance);
    }
}
