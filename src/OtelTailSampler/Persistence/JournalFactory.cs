using Microsoft.Extensions.Logging;

namespace OtelTailSampler.Persistence;

/// <summary>Opens the journal that <see cref="JournalOptions.Backend"/> names.</summary>
public static class JournalFactory
{
    /// <summary>The open journal, or null for <see cref="JournalBackend.None"/> (nothing is persisted).</summary>
    public static async Task<IJournal?> OpenAsync(
        JournalOptions options, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return options.Backend switch
        {
            JournalBackend.None => null,
            JournalBackend.Sqlite => SqliteJournal.Open(options, loggerFactory.CreateLogger<SqliteJournal>(), timeProvider),
            JournalBackend.PostgreSql => await PostgreSqlJournal.OpenAsync(
                options, loggerFactory.CreateLogger<PostgreSqlJournal>(), timeProvider, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Backend, "unknown journal backend"),
        };
    }
}
