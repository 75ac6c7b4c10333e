namespace OtelTailSampler.Benchmarks;

/// <summary>What the writers of one <see cref="JournalPathsMeasurement"/> variant have stored, and whether to stop.</summary>
internal sealed class JournalPathsCounter
{
    private long _events;
    private long _bytes;
    private volatile bool _stopping;

    public bool Stopping => _stopping;

    public (long Events, long Bytes) Read() => (Interlocked.Read(ref _events), Interlocked.Read(ref _bytes));

    public void Stored(int bytes)
    {
        Interlocked.Increment(ref _events);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void Stop() => _stopping = true;
}
