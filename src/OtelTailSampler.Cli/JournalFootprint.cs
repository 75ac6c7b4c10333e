using Microsoft.Data.Sqlite;
using Npgsql;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Cli;

/// <summary>What a node's journal held when read from outside: its segment rows, their stored bytes, and the disk it took.</summary>
/// <param name="Segments">Segment rows still stored.</param>
/// <param name="StoredBytes">Their summary and content bytes (deflated), what max-journal-bytes counts.</param>
/// <param name="DiskBytes">SQLite: the database file and its WAL; PostgreSQL: the segment table with its TOAST and index.</param>
internal sealed record JournalFootprint(long Segments, long StoredBytes, long DiskBytes)
{
    /// <summary>Reads the journal the options point at; null for a node without one.</summary>
    public static async Task<JournalFootprint?> ReadAsync(JournalOptions journal, CancellationToken cancellationToken)
    {
        switch (journal.Backend)
        {
            case JournalBackend.Sqlite:
                var file = Path.GetFullPath(journal.SqliteFilePath);
                await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
                {
                    await connection.OpenAsync(cancellationToken);
                    var (segments, stored) = await CountAsync(connection, cancellationToken);
                    var disk = new FileInfo(file).Length + (File.Exists(file + "-wal") ? new FileInfo(file + "-wal").Length : 0);
                    return new JournalFootprint(segments, stored, disk);
                }

            case JournalBackend.PostgreSql:
                await using (var connection = new NpgsqlConnection(journal.PostgreSqlConnectionString))
                {
                    await connection.OpenAsync(cancellationToken);
                    var (segments, stored) = await CountAsync(connection, cancellationToken);
                    await using var size = connection.CreateCommand();
                    size.CommandText = "SELECT pg_total_relation_size('journal_segment')";
                    return new JournalFootprint(segments, stored, Convert.ToInt64(await size.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture));
                }

            default:
                return null;
        }
    }

    private static async Task<(long Segments, long StoredBytes)> CountAsync(System.Data.Common.DbConnection connection, CancellationToken cancellationToken)
    {
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*), COALESCE(SUM(stored_bytes), 0) FROM journal_segment";
        await using var reader = await count.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
