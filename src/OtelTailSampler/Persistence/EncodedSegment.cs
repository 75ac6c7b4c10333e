namespace OtelTailSampler.Persistence;

/// <summary>A commit ready to store: its summary and content columns, their checksum, and which ids it holds.</summary>
/// <param name="RawBytes">The content before deflate, to see what compression saved.</param>
internal sealed record EncodedSegment(byte[] Summary, byte[] Content, long Checksum, IReadOnlyList<SegmentEntry> Entries, long RawBytes)
{
    /// <summary>What the segment takes in the database, its columns' bytes.</summary>
    public long StoredBytes => Summary.Length + Content.Length;
}
