namespace OtelTailSampler.Persistence;

/// <summary>How far a commit goes before it is acknowledged (<c>sampler.journal.sync</c>).</summary>
public enum JournalSync
{
    /// <summary>
    /// Flushed to stable storage before the commit returns: survives process crash, OS crash and power loss.
    /// SQLite <c>synchronous = FULL</c>; PostgreSQL <c>synchronous_commit = on</c>.
    /// </summary>
    Full,

    /// <summary>
    /// Handed to the OS (SQLite) or the server (PostgreSQL) before the commit returns: survives a crash of this
    /// process, but an OS crash or power loss (SQLite), or a database server crash (PostgreSQL), may lose the last
    /// moments of commits; the journal stays consistent. SQLite <c>synchronous = NORMAL</c>; PostgreSQL
    /// <c>synchronous_commit = off</c>.
    /// </summary>
    Normal,
}
