namespace OtelTailSampler.Persistence;

/// <summary>Where the journal lives (<c>sampler.journal.backend</c>).</summary>
public enum JournalBackend
{
    /// <summary>No journal: nothing survives a restart, acknowledgements are not durable.</summary>
    None,

    /// <summary>An embedded SQLite file per node (the default).</summary>
    Sqlite,

    /// <summary>A shared PostgreSQL database, so a surviving node can replay a dead node's shards.</summary>
    PostgreSql,
}
