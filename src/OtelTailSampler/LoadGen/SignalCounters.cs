namespace OtelTailSampler.LoadGen;

/// <summary>One signal's live counts, updated by every sender without locks.</summary>
internal sealed class SignalCounters
{
    private long _requests;
    private long _sent;
    private long _acknowledged;
    private long _rejected;
    private long _failed;

    public long Sent => Interlocked.Read(ref _sent);

    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long Failed => Interlocked.Read(ref _failed);

    public void AddSent(int items)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _sent, items);
    }

    public void AddAcknowledged(long items) => Interlocked.Add(ref _acknowledged, items);

    public void AddRejected(long items) => Interlocked.Add(ref _rejected, items);

    public void AddFailed(long items) => Interlocked.Add(ref _failed, items);

    public SignalTotals Totals() => new(Interlocked.Read(ref _requests), Sent, Acknowledged, Rejected, Failed);
}
