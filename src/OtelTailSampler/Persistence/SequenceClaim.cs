namespace OtelTailSampler.Persistence;

/// <summary>
/// One id's part of a commit: the journal must hold exactly <see cref="Expected"/> as its highest sequence number,
/// and will hold <see cref="Highest"/> after it. <see cref="WriteIndex"/> is the id's first write in the commit.
/// </summary>
internal readonly record struct SequenceClaim(string PersistenceId, long Expected, long Highest, int WriteIndex);
