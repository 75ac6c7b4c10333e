using Npgsql;
using OtelTailSampler.Configuration;

namespace OtelTailSampler.Persistence;

/// <summary>Settings of the event journal, bound from <c>sampler.journal</c>.</summary>
public sealed record JournalOptions
{
    private static readonly Dictionary<string, JournalBackend> Backends = new(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = JournalBackend.None,
        ["sqlite"] = JournalBackend.Sqlite,
        ["postgresql"] = JournalBackend.PostgreSql,
    };

    private static readonly Dictionary<string, JournalSync> SyncModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["full"] = JournalSync.Full,
        ["normal"] = JournalSync.Normal,
    };

    public JournalBackend Backend { get; init; } = JournalBackend.Sqlite;

    public JournalSync Sync { get; init; } = JournalSync.Full;

    /// <summary>The directory of the SQLite journal; created when missing.</summary>
    public string SqlitePath { get; init; } = "./data/journal";

    /// <summary>The SQLite database file inside <see cref="SqlitePath"/>.</summary>
    public string SqliteFileName { get; init; } = "journal.db";

    /// <summary>How long a SQLite statement waits for a lock held by another process before failing (whole seconds, at least 1).</summary>
    public TimeSpan SqliteBusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An Npgsql connection string, such as <c>Host=db;Username=sampler;Password=…;Database=sampler</c>.</summary>
    public string PostgreSqlConnectionString { get; init; } = "";

    /// <summary>Bytes of stored journal segments (deflated) the journal may hold before the node pushes back on its clients; 0 for no limit.</summary>
    public long MaxJournalBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>The full path of the SQLite database file.</summary>
    public string SqliteFilePath => System.IO.Path.Combine(SqlitePath, SqliteFileName);

    /// <summary>Reads the <c>sampler.journal</c> section; mistakes go to the reader's errors and leave defaults.</summary>
    public static JournalOptions Read(SettingsReader journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var defaults = new JournalOptions();
        journal.ReportUnknownKeys("backend", "sync", "sqlite", "postgresql", "max-journal-bytes");

        var sqlite = journal.Section("sqlite");
        sqlite.ReportUnknownKeys("path", "file-name", "busy-timeout");
        var postgresql = journal.Section("postgresql");
        postgresql.ReportUnknownKeys("connection-string");

        var options = new JournalOptions
        {
            Backend = journal.GetChoice("backend", defaults.Backend, Backends),
            Sync = journal.GetChoice("sync", defaults.Sync, SyncModes),
            SqlitePath = sqlite.GetString("path", defaults.SqlitePath),
            SqliteFileName = sqlite.GetString("file-name", defaults.SqliteFileName),
            SqliteBusyTimeout = sqlite.GetDuration("busy-timeout", defaults.SqliteBusyTimeout),
            PostgreSqlConnectionString = postgresql.GetString("connection-string", defaults.PostgreSqlConnectionString),
            MaxJournalBytes = journal.GetSize("max-journal-bytes", defaults.MaxJournalBytes),
        };

        if (options.Backend == JournalBackend.Sqlite)
        {
            if (string.IsNullOrWhiteSpace(options.SqlitePath))
            {
                sqlite.AddError("path", "a directory is required when backend = sqlite");
            }

            if (string.IsNullOrWhiteSpace(options.SqliteFileName) ||
                options.SqliteFileName.IndexOfAny(['/', '\\']) >= 0 || options.SqliteFileName is "." or "..")
            {
                sqlite.AddError("file-name", $"expected a file name without directories but found '{options.SqliteFileName}'");
            }

            if (options.SqliteBusyTimeout < TimeSpan.FromSeconds(1))
            {
                sqlite.AddError("busy-timeout", "must be at least 1s");
            }
        }

        if (options.Backend == JournalBackend.PostgreSql)
        {
            if (string.IsNullOrWhiteSpace(options.PostgreSqlConnectionString))
            {
                postgresql.AddError("connection-string", "a connection string is required when backend = postgresql");
            }
            else
            {
                try
                {
                    _ = new NpgsqlConnectionStringBuilder(options.PostgreSqlConnectionString);
                }
                catch (ArgumentException e)
                {
                    // Npgsql names the bad keyword; the value itself may hold a password, so it is not echoed.
                    postgresql.AddError("connection-string", $"not a valid connection string: {e.Message}");
                }
            }
        }

        return options;
    }
}
