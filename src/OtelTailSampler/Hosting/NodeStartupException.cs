using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Hosting;

/// <summary>
/// The node cannot start for a reason in its surroundings (a port in use, a journal it cannot open). The message is
/// one line that names the setting and the address, for the operator; `otel-sampler` prints it and exits with 2.
/// </summary>
public sealed class NodeStartupException : Exception
{
    public NodeStartupException()
    {
    }

    public NodeStartupException(string message)
        : base(message)
    {
    }

    public NodeStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether opening the journal failed for a reason an operator fixes (storage, permissions, server).</summary>
    public static bool IsJournalFailure(Exception exception) =>
        exception is IOException or UnauthorizedAccessException or SqliteException or NpgsqlException or SocketException or TimeoutException
        || (exception is InvalidOperationException && exception.InnerException is not null && IsJournalFailure(exception.InnerException));

    internal static NodeStartupException CannotOpenJournal(JournalOptions journal, Exception exception)
    {
        var cause = OneLine(exception);
        if (journal.Backend == JournalBackend.PostgreSql)
        {
            var builder = new NpgsqlConnectionStringBuilder(journal.PostgreSqlConnectionString);
            return new NodeStartupException(
                $"sampler.journal.postgresql.connection-string: cannot open the journal on PostgreSQL at {builder.Host}:{builder.Port} (database {builder.Database}): {cause}", exception);
        }

        return new NodeStartupException($"sampler.journal.sqlite.path: cannot open the journal at {Path.GetFullPath(journal.SqliteFilePath)}: {cause}", exception);
    }

    internal static NodeStartupException CannotListen(IEnumerable<(string Setting, IPEndPoint Endpoint)> listeners, IOException exception)
    {
        var cause = OneLine(exception.InnerException ?? exception);
        foreach (var (setting, endpoint) in listeners)
        {
            // Kestrel names the address it failed on ("http://127.0.0.1:4318: address already in use").
            if (endpoint.Port != 0 && exception.Message.Contains($":{endpoint.Port}:", StringComparison.Ordinal))
            {
                return new NodeStartupException($"{setting}: cannot listen on {endpoint}: {cause}", exception);
            }
        }

        return new NodeStartupException($"cannot listen: {OneLine(exception)}", exception);
    }

    private static string OneLine(Exception exception) =>
        exception.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
}
