using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OtelTailSampler.Persistence;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// One event stream written three ways (issue 10): trace shard entities, each persisting SpansAppended parts one
/// write in flight at a time, as shards do under load, through (a) direct journal calls as the entity makes them
/// today (ShardJournal → JournalWriter → segment journal), (b) persistent actors over SegmentJournalPlugin, (c)
/// persistent actors over Akka.Persistence.Sql; on SQLite and PostgreSQL, each variant on a fresh store, in one run.
/// Every part is its own bytes, so no path gains from bytes shared between shards (the segment paths would).
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/OtelTailSampler.Benchmarks -- journal-paths [--seconds 15] [--warmup 5]
/// [--entities 100] [--spans 100] [--rounds 1] [--backends sqlite,postgresql] [--paths direct,plugin,sql]
/// [--postgresql "Host=127.0.0.1;Port=…;Username=postgres;Database=postgres"]</c>. PostgreSQL variants each get a
/// fresh database on that server; SQLite variants a fresh directory under /tmp.
/// </remarks>
internal static class JournalPathsMeasurement
{
    private const string SqlPluginId = "akka.persistence.journal.sql";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        var parts = MakeParts(options.Entities, options.Spans);
        var partBytes = parts.SelectMany(p => p).Average(p => p.Length);
        Console.WriteLine($"{options.Entities} entities, parts of {options.Spans} spans ({partBytes / 1024:F1} KiB on average), " +
                          $"{options.Warmup.TotalSeconds:F0} s warm-up, {options.Measure.TotalSeconds:F0} s measured per variant");
        Console.WriteLine();
        Console.WriteLine("| backend | round | path | events/s | MB/s | vs direct | events / transaction | load average at start |");
        Console.WriteLine("|---|--:|---|--:|--:|--:|--:|--:|");
        foreach (var backend in options.Backends)
        {
            for (var round = 1; round <= options.Rounds; round++)
            {
                // Every other round runs the paths in reverse, so neither warm-up nor a neighbour's load favours one path.
                var order = round % 2 == 1 ? options.Paths : [.. options.Paths.Reverse()];
                var results = new Dictionary<string, (Result Result, string Load)>();
                foreach (var path in order)
                {
                    var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(1)) : "n/a";
                    results[path] = (await MeasureAsync(options, backend, path, round, parts), load);
                }

                double? direct = results.TryGetValue("direct", out var d) ? d.Result.EventsPerSecond : null;
                foreach (var path in options.Paths)
                {
                    var (result, load) = results[path];
                    var ratio = direct is { } baseline ? (result.EventsPerSecond / baseline).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
                    var perCommit = result.EventsPerTransaction is { } p ? p.ToString("F1", CultureInfo.InvariantCulture) : "n/a";
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {backend} | {round} | {path} | {result.EventsPerSecond:N0} | {result.MegabytesPerSecond:F1} | {ratio} | {perCommit} | {load} |"));
                }
            }
        }

        return 0;
    }

    private static async Task<Result> MeasureAsync(Options options, string backend, string path, int round, byte[][][] parts)
    {
        var name = $"bench_paths_{path}_{round}";
        var directory = backend == "sqlite" ? Directory.CreateTempSubdirectory("otel-sampler-paths-").FullName : null;
        try
        {
            var counter = new JournalPathsCounter();
            var connectionString = backend == "postgresql" ? await FreshDatabaseAsync(options.PostgreSql, name) : null;
            return path switch
            {
                "direct" => await DirectAsync(options, await OpenJournalAsync(backend, directory, connectionString), parts, counter),
                "plugin" => await PluginAsync(options, await OpenJournalAsync(backend, directory, connectionString), parts, counter),
                "sql" => await SqlAsync(options, SqlHocon(backend, directory, connectionString), parts, counter),
                _ => throw new ArgumentException($"unknown path {path}: direct, plugin or sql"),
            };
        }
        finally
        {
            // The next variant starts with no connections of this one's open (PostgreSQL's max_connections counts them).
            NpgsqlConnection.ClearAllPools();
            SqliteConnection.ClearAllPools();
            if (directory is not null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static async Task<Result> DirectAsync(Options options, IJournal journal, byte[][][] parts, JournalPathsCounter counter)
    {
        var writer = new JournalWriter(journal, new JournalWriterOptions(), NullLogger<JournalWriter>.Instance);
        await using var shards = new ShardJournal(journal, writer, options.Entities, NullLogger<ShardJournal>.Instance);
        var entities = Enumerable.Range(0, options.Entities).Select(shard => Task.Run(async () =>
        {
            // One append in flight per shard, as a persistent actor has; the entity's own call.
            for (var i = 0; !counter.Stopping; i++)
            {
                var part = parts[shard][i % parts[shard].Length];
                var (_, committed) = await shards.AppendAsync(shard, ShardEventType.SpansAppended, part, awaitApply: false, CancellationToken.None);
                await committed;
                counter.Stored(part.Length);
            }
        })).ToList();
        var result = await WindowAsync(options, counter, () => writer.BatchesCommitted);
        counter.Stop();
        await Task.WhenAll(entities);
        return result;
    }

    private static async Task<Result> PluginAsync(Options options, IJournal journal, byte[][][] parts, JournalPathsCounter counter)
    {
        var writer = new JournalWriter(journal, new JournalWriterOptions(), NullLogger<JournalWriter>.Instance);
        try
        {
            var setup = BootstrapSetup.Create().WithConfig(ActorConfig(SegmentJournalPlugin.PluginId, "")).And(new SegmentJournalSetup(journal, writer));
            var system = ActorSystem.Create("bench-plugin", setup);
            var result = await RunEntitiesAsync(options, system, SegmentJournalPlugin.PluginId, parts, counter, () => writer.BatchesCommitted);
            await system.Terminate();
            return result;
        }
        finally
        {
            await writer.DisposeAsync();
            await journal.DisposeAsync();
        }
    }

    private static async Task<Result> SqlAsync(Options options, string sqlHocon, byte[][][] parts, JournalPathsCounter counter)
    {
        var config = ActorConfig(SqlPluginId, sqlHocon).WithFallback(SqlPersistence.DefaultConfiguration);
        var system = ActorSystem.Create("bench-sql", config);
        var result = await RunEntitiesAsync(options, system, SqlPluginId, parts, counter, transactions: null);
        await system.Terminate();
        return result;
    }

    private static async Task<Result> RunEntitiesAsync(
        Options options, ActorSystem system, string pluginId, byte[][][] parts, JournalPathsCounter counter, Func<long>? transactions)
    {
        for (var shard = 0; shard < options.Entities; shard++)
        {
            system.ActorOf(BenchEntity.Props(ShardJournal.PersistenceId(shard), pluginId, parts[shard], counter)).Tell(BenchEntity.Next.Instance);
        }

        var result = await WindowAsync(options, counter, transactions);
        counter.Stop();
        return result;
    }

    private static async Task<Result> WindowAsync(Options options, JournalPathsCounter counter, Func<long>? transactions)
    {
        await Task.Delay(options.Warmup);
        var (events0, bytes0) = counter.Read();
        var transactions0 = transactions?.Invoke() ?? 0;
        var clock = Stopwatch.StartNew();
        await Task.Delay(options.Measure);
        var (events1, bytes1) = counter.Read();
        var transactions1 = transactions?.Invoke() ?? 0;
        var seconds = clock.Elapsed.TotalSeconds;
        return new Result(
            (events1 - events0) / seconds,
            (bytes1 - bytes0) / seconds / 1e6,
            transactions is null || transactions1 == transactions0 ? null : (double)(events1 - events0) / (transactions1 - transactions0));
    }

    private static Config ActorConfig(string journalPluginId, string extra) => ConfigurationFactory.ParseString(SegmentJournalPlugin.Hocon + $$"""

        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "{{journalPluginId}}"
        akka.persistence.snapshot-store.plugin = "akka.persistence.no-snapshot-store"
        {{extra}}
        """);

    private static string SqlHocon(string backend, string? directory, string? connectionString)
    {
        string provider;
        if (backend == "sqlite")
        {
            // WAL, as the segment journal runs SQLite; it stays set in the file. synchronous stays at its FULL default.
            connectionString = $"Data Source={Path.Combine(directory!, "akka.db")}";
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode = WAL";
            wal.ExecuteNonQuery();
            provider = "SQLite.MS";
        }
        else
        {
            provider = "PostgreSQL.15";
        }

        return $$"""
            akka.persistence.journal.sql {
              connection-string = "{{connectionString}}"
              provider-name = "{{provider}}"
              auto-initialize = true
            }
            """;
    }

    private static async Task<IJournal> OpenJournalAsync(string backend, string? directory, string? connectionString) => backend switch
    {
        "sqlite" => SqliteJournal.Open(new JournalOptions { SqlitePath = directory!, Sync = JournalSync.Full }, NullLogger<SqliteJournal>.Instance),
        _ => await PostgreSqlJournal.OpenAsync(
            new JournalOptions { Backend = JournalBackend.PostgreSql, Sync = JournalSync.Full, PostgreSqlConnectionString = connectionString! },
            NullLogger<PostgreSqlJournal>.Instance),
    };

    private static async Task<string> FreshDatabaseAsync(string server, string name)
    {
        if (server.Length == 0)
        {
            throw new ArgumentException("--postgresql <connection string> is needed for the postgresql backend");
        }

        await using (var dataSource = NpgsqlDataSource.Create(server))
        {
            await using var command = dataSource.CreateCommand($"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name}");
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    // Each entity cycles through 4 parts of its own (copies of 8 generated ones): no two events in a commit share bytes.
    private static byte[][][] MakeParts(int entities, int spans)
    {
        var generated = Enumerable.Range(0, 8).Select(batch => BenchmarkData.TraceRequest(seed: 10, batch, spans)).ToArray();
        return [.. Enumerable.Range(0, entities).Select(entity => Enumerable.Range(0, 4).Select(k => generated[(entity + k) % generated.Length].ToArray()).ToArray())];
    }

    private sealed record Result(double EventsPerSecond, double MegabytesPerSecond, double? EventsPerTransaction);

    private sealed record Options(
        TimeSpan Measure, TimeSpan Warmup, int Entities, int Spans, int Rounds, string[] Backends, string[] Paths, string PostgreSql)
    {
        public static Options Parse(string[] args)
        {
            string Value(string name, string fallback)
            {
                var at = Array.IndexOf(args, name);
                return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
            }

            int Number(string name, int fallback) => int.Parse(Value(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

            return new Options(
                TimeSpan.FromSeconds(Number("--seconds", 15)),
                TimeSpan.FromSeconds(Number("--warmup", 5)),
                Number("--entities", 100),
                Number("--spans", 100),
                Number("--rounds", 1),
                Value("--backends", "sqlite,postgresql").Split(','),
                Value("--paths", "direct,plugin,sql").Split(','),
                Value("--postgresql", ""));
        }
    }
}
