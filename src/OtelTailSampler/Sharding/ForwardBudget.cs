namespace OtelTailSampler.Sharding;

/// <summary>
/// The parts this node has sent to shard owners and not had answered. Akka's shard region buffers messages for
/// shards whose home it is still asking for, and drops them once its buffer is full; a node that stops sending
/// at <see cref="Capacity"/>, far below that buffer, never lets it fill. Its clients get 503 / UNAVAILABLE instead.
/// </summary>
internal sealed class ForwardBudget
{
    private long _inFlight;
    private long _timedOut;

    public ForwardBudget(int capacity) => Capacity = capacity;

    public int Capacity { get; }

    public long InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Parts given up at their deadline, since the start.</summary>
    public long TimedOut => Volatile.Read(ref _timedOut);

    /// <summary>Takes room for <paramref name="parts"/>, or takes nothing and returns false when that would pass the capacity.</summary>
    public bool TryTake(int parts)
    {
        if (Interlocked.Add(ref _inFlight, parts) <= Capacity)
        {
            return true;
        }

        Interlocked.Add(ref _inFlight, -parts);
        return false;
    }

    public void Release(int parts) => Interlocked.Add(ref _inFlight, -parts);

    public void CountTimedOut(int parts) => Interlocked.Add(ref _timedOut, parts);
}
