using Microsoft.Extensions.Configuration;
using OtelTailSampler.Configuration;
using OtelTailSampler.Configuration.Hocon;
using OtelTailSampler.Persistence;
using OtelTailSampler.Tests.Configuration.Hocon;

namespace OtelTailSampler.Tests.Persistence;

public sealed class JournalOptionsTests
{
    private static (JournalOptions Options, IReadOnlyList<ConfigurationError> Errors) Read(string text)
    {
        var document = TestHocon.Load(text);
        var reader = new SettingsReader(new ConfigurationBuilder().AddHocon(document).Build(), document.PositionOf);
        var options = JournalOptions.Read(reader.Section("sampler.journal"));
        return (options, reader.Errors);
    }

    [Fact]
    public void An_absent_section_gives_the_defaults_an_embedded_fully_synced_sqlite_journal()
    {
        var (options, errors) = Read("sampler { }");

        Assert.Empty(errors);
        Assert.Equal(new JournalOptions(), options);
        Assert.Equal(JournalBackend.Sqlite, options.Backend);
        Assert.Equal(JournalSync.Full, options.Sync);
        Assert.Equal("./data/journal", options.SqlitePath);
        Assert.Equal(Path.Combine("./data/journal", "journal.db"), options.SqliteFilePath);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SqliteBusyTimeout);
        Assert.Equal(2L * 1024 * 1024 * 1024, options.MaxJournalBytes);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var (options, errors) = Read("""
            sampler.journal {
              backend = postgresql
              sync = normal
              sqlite { path = "/var/lib/sampler/wal", file-name = "node.db", busy-timeout = 10s }
              postgresql { connection-string = "Host=db;Username=sampler;Database=journal" }
              max-journal-bytes = 512MiB
            }
            """);

        Assert.Empty(errors);
        Assert.Equal(new JournalOptions
        {
            Backend = JournalBackend.PostgreSql,
            Sync = JournalSync.Normal,
            SqlitePath = "/var/lib/sampler/wal",
            SqliteFileName = "node.db",
            SqliteBusyTimeout = TimeSpan.FromSeconds(10),
            PostgreSqlConnectionString = "Host=db;Username=sampler;Database=journal",
            MaxJournalBytes = 512L * 1024 * 1024,
        }, options);
    }

    [Theory]
    [InlineData("none", JournalBackend.None)]
    [InlineData("SQLite", JournalBackend.Sqlite)]
    public void Backends_are_named_ignoring_case(string name, JournalBackend expected)
    {
        var (options, errors) = Read($"sampler.journal.backend = {name}");

        Assert.Empty(errors);
        Assert.Equal(expected, options.Backend);
    }

    [Fact]
    public void A_bad_backend_and_sync_are_reported_at_their_place_with_the_choices()
    {
        var (options, errors) = Read("""
            sampler.journal {
              backend = mysql
              sync = always
            }
            """);

        Assert.Equal(new JournalOptions(), options);
        Assert.Collection(errors,
            backend =>
            {
                Assert.Equal("sampler.journal.backend", backend.Path);
                Assert.Equal(2, backend.Position?.Line);
                Assert.Contains("none, sqlite, postgresql", backend.Message, StringComparison.Ordinal);
                Assert.Contains("'mysql'", backend.Message, StringComparison.Ordinal);
            },
            sync =>
            {
                Assert.Equal("sampler.journal.sync", sync.Path);
                Assert.Contains("full, normal", sync.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Postgresql_needs_a_connection_string()
    {
        var (_, errors) = Read("sampler.journal.backend = postgresql");

        var error = Assert.Single(errors);
        Assert.Equal("sampler.journal.postgresql.connection-string", error.Path);
        Assert.Contains("required when backend = postgresql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_that_npgsql_cannot_read_is_reported()
    {
        var (_, errors) = Read("""sampler.journal { backend = postgresql, postgresql.connection-string = "Hots=db;Password=secret" }""");

        var error = Assert.Single(errors);
        Assert.Equal("sampler.journal.postgresql.connection-string", error.Path);
        Assert.Contains("not a valid connection string", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_is_not_needed_unless_postgresql_is_chosen()
    {
        var (_, errors) = Read("sampler.journal { backend = sqlite, postgresql.connection-string = \"\" }");

        Assert.Empty(errors);
    }

    [Fact]
    public void Misspelled_keys_and_bad_sqlite_settings_are_reported()
    {
        var (_, errors) = Read("""
            sampler.journal {
              snyc = full
              sqlite { path = "", file-name = "a/b.db", busy-timeout = 100ms, mode = wal }
              postgresql { connection = "x" }
              max-journal-bytes = lots
            }
            """);

        Assert.Equal(
            [
                "sampler.journal.snyc",
                "sampler.journal.sqlite.mode",
                "sampler.journal.postgresql.connection",
                "sampler.journal.max-journal-bytes",
                "sampler.journal.sqlite.path",
                "sampler.journal.sqlite.file-name",
                "sampler.journal.sqlite.busy-timeout",
            ],
            errors.Select(e => e.Path));
        Assert.Contains("unknown setting", errors[0].Message, StringComparison.Ordinal);
    }
}
