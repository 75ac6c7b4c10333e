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
/// Recovery can take longer than a truncation round (a large journal, a slow disk). Until every replayed trace is
/// back in its worker, no worker knows which events its traces need, so truncation must not run: it would delete
/// the very events being recovered, and a second crash would lose them.
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
        var sharding = new ShardingOptions { Shards = 16, Workers = 2 };
        var router = new ShardRouter(sharding.Shards, sharding.EffectiveWorkers);
        var request = OtlpSamples.Traces([.. Enumerable.Range(1, 10).Select(trace => OtlpSamples.Span(trace, 1))]).ToByteArray();
        var shards = Enumerable.Range(1, 10).Select(trace => router.ShardOf(TraceId.FromBytes(OtlpSamples.TraceId(trace).Span))).Distinct().ToList();

        // What a node left behind: the request's SpansAppended events, not yet decided.
        var stored = SqliteJournal.Open(new JournalOptions { SqlitePath = _directory }, NullLogger<SqliteJournal>.Instance, _time);
        await stored.WriteAsync([.. shards.Select(shard => new AtomicWrite(ShardJournal.PersistenceId(shard), 1, (int)ShardEventType.SpansAppended, request))]);
        var journal = new GatedJournal(stored);
        var writer = new JournalWriter(journal, new JournalWriterOptions(), NullLogger<JournalWriter>.Instance);
        var shardJournal = Track(new ShardJournal(journal, writer, sharding.Shards, NullLogger<ShardJournal>.Instance));
        var pipeline = Track(new SamplingPipeline(new SamplingOptions(), sharding, new CapturingExporter(), new SamplerMetrics(), _time,
            NullLoggerFactory.Instance, shardJournal));

        var recovery = pipeline.RecoverAsync(CancellationToken.None);
        await journal.ReplayStarted;

        // Well past the truncation rounds (every tenth tick of 100 ms), with recovery held in the middle of its read.
        for (var tick = 0; tick < 30; tick++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await pipeline.WhenIdleAsync();
            foreach (var worker in pipeline.Workers)
            {
                await worker.TruncationAsync();
            }
        }

        Assert.Equal(0, journal.Deletions);
        journal.ReleaseReplay();
        await recovery;

        Assert.Equal(10, pipeline.Workers.Sum(worker => worker.BufferedTraces));
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

    /// <summary>A journal whose ReplayAllAsync waits for the test before it reads, and that counts deletions.</summary>
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

        public IAsyncEnumerable<JournalEvent> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default) =>
            inner.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken);

        public async IAsyncEnumerable<JournalEvent> ReplayAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            _started.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
            await foreach (var journalEvent in inner.ReplayAllAsync(cancellationToken))
            {
                yield return journalEvent;
            }
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
