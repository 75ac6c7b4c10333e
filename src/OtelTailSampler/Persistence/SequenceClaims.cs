namespace OtelTailSampler.Persistence;

/// <summary>
/// The sequence ranges a commit claims, one per persistence id: the id's writes in the commit must follow each other
/// without a gap, and the first must follow what the journal holds (the backend checks that part).
/// </summary>
internal static class SequenceClaims
{
    /// <summary>The claims, in the order of each id's first write; throws for a write that does not follow its id's previous one.</summary>
    public static List<SequenceClaim> Of(IReadOnlyList<AtomicWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var claimOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var claims = new List<SequenceClaim>();
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            if (claimOf.TryGetValue(write.PersistenceId, out var index))
            {
                var claim = claims[index];
                if (write.FirstSequenceNr != claim.Highest + 1)
                {
                    throw new SequenceNumberConflictException(write.PersistenceId, claim.Highest + 1, write.FirstSequenceNr, i);
                }

                claims[index] = claim with { Highest = write.HighestSequenceNr };
            }
            else
            {
                claimOf[write.PersistenceId] = claims.Count;
                claims.Add(new SequenceClaim(write.PersistenceId, write.FirstSequenceNr - 1, write.HighestSequenceNr, i));
            }
        }

        return claims;
    }
}
