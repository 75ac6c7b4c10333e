using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Persistence;
using OtelTailSampler.Tests.Configuration;

namespace OtelTailSampler.Tests.Persistence;

public sealed class JournalFactoryTests
{
    [Fact]
    public async Task Backend_none_opens_no_journal()
    {
        Assert.Null(await JournalFactory.OpenAsync(new JournalOptions { Backend = JournalBackend.None }, NullLoggerFactory.Instance));
    }

    [Fact]
    public async Task Backend_sqlite_opens_the_file_in_the_configured_directory()
    {
        using var directory = new TemporaryDirectory();
        var options = new JournalOptions { SqlitePath = Path.Combine(directory.Path, "wal"), SqliteFileName = "node.db" };

        await using (var journal = await JournalFactory.OpenAsync(options, NullLoggerFactory.Instance))
        {
            Assert.IsType<SqliteJournal>(journal);
        }

        Assert.True(File.Exists(Path.Combine(directory.Path, "wal", "node.db")));
    }
}
