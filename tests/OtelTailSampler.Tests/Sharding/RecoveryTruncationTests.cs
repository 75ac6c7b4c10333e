using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Export;
using OtelTailSampler.Persistence;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Sharding;

/// <summary>
/// Recovery can take longer than a truncation round (a large journal, a slow disk). Until a shard's replayed traces
/// are back in memory it does not know which events they need, so it must not truncate: it would delete the very
/// events being recovered, and a second crash would lose them.
/// </summary>
public sealed class RecoveryTruncationTests : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-recovery-").FullName;
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<IAsyncDisposable> _disposables = [];

    public async ValueTask DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task No_event_is_truncated_while_recovery_is_still_replaying()
    {
        var sharding = new ShardingOptions { Shards = 16 };
        var router = new ShardRouter(sharding.Shards, 1);
        var request = OtlpSamples.Traces([.. Enumerable.Range(1, 10).Select(trace => OtlpSamples.Span(trace, 1))]).ToByteArray();
        var shards = Enumerable.Range(1, 10).Select(trace => router.ShardOf(TraceId.FromBytes(OtlpSamples.TraceId(trace).Span))).Distinct().ToList();

        // What a node left behind: the request's SpansAppended events, not yet decided.
        var stored = SqliteJournal.Open(new JournalOptions { SqlitePath = _directory }, NullLogger<SqliteJournal>.Instance, _time);
        await stored.WriteAsync([.. shards.Select(shard => new AtomicWrite(ShardJournal.PersistenceId(shard), 1, (int)ShardEventType.SpansAppended, request))]);
        var journal = new GatedJournal(stored);
        var writer = new JournalWriter(journal, new JournalWriterOptions(), NullLogger<JournalWriter>.Instance);
        var shardJournal = Track(new ShardJournal(journal, writer, sharding.Shards, NullLogger<ShardJournal>.Instance));
        var pipeline = Track(new SamplingPipeline(new SamplingOptions { RootSettleDelay = TimeSpan.Zero }, sharding, new CapturingExporter(), new SamplerMetrics(), _time,
            NullLoggerFactory.Instance, shardJournal));

        var recovery = pipeline.RecoverAsync(CancellationToken.None);
        await journal.ReplayStarted;

        // Well past the truncation rounds (every tenth tick of 100 ms), with recovery held in the middle of its read.
        for (var tick = 0; tick < 30; tick++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(0, journal.Deletions);
        journal.ReleaseReplay();
        await recovery;
        await pipeline.WhenIdleAsync();

        Assert.Equal(10, pipeline.Shards.Budget.BufferedTraces);
        Assert.Equal(shards.Count, await CountStoredEventsAsync(stored));
    }

    private static async Task<int> CountStoredEventsAsync(SqliteJournal journal)
    {
        var count = 0;
        await foreach (var _ in journal.ReplayAllAsync())
        {
            count++;
        }

        return count;
    }

    private T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>A journal whose shard replays wait for the test before they read, and that counts deletions.</summary>
    private sealed class GatedJournal(IJournal inner) : IJournal
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _deletions;

        public Task ReplayStarted => _started.Task;

        public int Deletions => Volatile.Read(ref _deletions);

        public void ReleaseReplay() => _release.TrySetResult();

        public Task WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(writes, cancellationToken);

        public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) =>
            inner.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);

        public async IAsyncEnumerable<JournalEvent> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            _started.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
            await foreach (var journalEvent in inner.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken))
            {
                yield return journalEvent;
            }
        }

        public IAsyncEnumerable<JournalEvent> ReplayAllAsync(CancellationToken cancellationToken = default) => inner.ReplayAllAsync(cancellationToken);

        public Task DeleteUpToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _deletions);
            return inner.DeleteUpToAsync(persistenceId, toSequenceNr, cancellationToken);
        }

        public Task DeleteUpToAsync(IReadOnlyList<(string PersistenceId, long ToSequenceNr)> deletions, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _deletions);
            return inner.DeleteUpToAsync(deletions, cancellationToken);
        }

        public IAsyncEnumerable<string> PersistenceIdsAsync(CancellationToken cancellationToken = default) => inner.PersistenceIdsAsync(cancellationToken);

        public Task<long> ApproximateSizeBytesAsync(CancellationToken cancellationToken = default) => inner.ApproximateSizeBytesAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
