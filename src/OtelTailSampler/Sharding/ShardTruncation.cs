using Microsoft.Extensions.Logging;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Every tenth tick, drops each of a worker's shards' journal events that nothing needs any more: those before the
/// oldest event a buffered trace or a pending export still refers to, or all of them when there is none. One round
/// at a time; a failed round offers every shard again in the next.
/// </summary>
internal sealed partial class ShardTruncation
{
    private const int TicksBetweenRounds = 10;

    private readonly ShardJournal _journal;
    private readonly int _firstShard;
    private readonly int _shards;
    private readonly int _workers;
    private readonly ILogger _logger;
    private readonly long[] _truncatedUpTo;
    private int _ticksSinceRound;
    private Task<bool> _round = Task.FromResult(true);

    /// <param name="firstShard">The worker's index: its shards are firstShard, firstShard + workers, …</param>
    public ShardTruncation(ShardJournal journal, int firstShard, int shards, int workers, ILogger logger)
    {
        _journal = journal;
        _firstShard = firstShard;
        _shards = shards;
        _workers = workers;
        _logger = logger;
        _truncatedUpTo = new long[shards];
    }

    /// <summary>Completes when the round the last tick started (if any) is done.</summary>
    public Task Round => _round;

    /// <summary>Counts a tick; true when a round is due and none is running.</summary>
    public bool Tick()
    {
        if (!_journal.Recovered || ++_ticksSinceRound < TicksBetweenRounds || !_round.IsCompleted)
        {
            return false;
        }

        _ticksSinceRound = 0;
        return true;
    }

    /// <summary>Starts a round, given per shard the oldest sequence number still needed (shards absent need none).</summary>
    public void Start(Dictionary<int, long> oldestNeeded)
    {
        if (!_round.Result)
        {
            // The last round failed: offer every shard again.
            Array.Clear(_truncatedUpTo);
        }

        var work = new List<(int Shard, long UpTo)>();
        for (var shard = _firstShard; shard < _shards; shard += _workers)
        {
            var upTo = oldestNeeded.TryGetValue(shard, out var oldest) ? oldest - 1 : _journal.HighestQueued(shard);
            if (upTo > _truncatedUpTo[shard])
            {
                _truncatedUpTo[shard] = upTo;
                work.Add((shard, upTo));
            }
        }

        if (work.Count > 0)
        {
            _round = Task.Run(() => TruncateAsync(work));
        }
    }

    private async Task<bool> TruncateAsync(List<(int Shard, long UpTo)> work)
    {
        try
        {
            await _journal.TruncateAsync(work, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogTruncationFailed(work.Count, e.Message);
            return false;
        }
    }

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "Could not truncate the journal of {Shards} shards: {Reason}; the next round tries again")]
    private partial void LogTruncationFailed(int shards, string reason);
}
