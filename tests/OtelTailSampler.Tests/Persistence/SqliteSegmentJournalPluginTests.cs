using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Persistence;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>The plugin over the SQLite journal, in a temporary directory.</summary>
public sealed class SqliteSegmentJournalPluginTests : SegmentJournalPluginTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-plugin-").FullName;

    protected override Task<IJournal> OpenJournalAsync() =>
        Task.FromResult<IJournal>(SqliteJournal.Open(new JournalOptions { SqlitePath = _directory }, NullLogger<SqliteJournal>.Instance));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
