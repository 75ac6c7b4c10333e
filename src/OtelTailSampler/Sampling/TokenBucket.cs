namespace OtelTailSampler.Sampling;

/// <summary>
/// Tokens refill continuously at a rate up to a capacity, starting full (as golang.org/x/time/rate, which
/// the Collector uses). Not thread-safe: the node's policy set spends its buckets under its lock.
/// </summary>
internal sealed class TokenBucket(double ratePerSecond, double capacity, long timestampFrequency)
{
    private readonly double _capacity = capacity;
    private double _tokens = capacity;
    private long _lastTimestamp;
    private bool _started;

    /// <summary>Whether <paramref name="amount"/> tokens are available at <paramref name="timestamp"/>.</summary>
    public bool CanTake(double amount, long timestamp)
    {
        Refill(timestamp);
        return amount <= _tokens;
    }

    /// <summary>Takes tokens that <see cref="CanTake"/> just found available.</summary>
    public void Take(double amount) => _tokens -= amount;

    private void Refill(long timestamp)
    {
        if (!_started)
        {
            _started = true;
            _lastTimestamp = timestamp;
            return;
        }

        if (timestamp > _lastTimestamp)
        {
            var seconds = (double)(timestamp - _lastTimestamp) / timestampFrequency;
            _tokens = Math.Min(_capacity, _tokens + seconds * ratePerSecond);
            _lastTimestamp = timestamp;
        }
    }
}
