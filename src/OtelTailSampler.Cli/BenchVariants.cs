namespace OtelTailSampler.Cli;

/// <summary>The configurations `otel-sampler bench` knows. A new one (a journal backend, say) is one more line.</summary>
internal static class BenchVariants
{
    /// <summary>The variant every other is compared with: receivers parse and validate, then discard.</summary>
    public const string Baseline = "decode-only";

    public static IReadOnlyList<BenchVariant> All { get; } =
    [
        new(Baseline, "receivers read and validate requests, then discard them (the baseline)", Mode("decode-only")),
        new("pass-through", "everything accepted is exported unsampled", Mode("pass-through")),
        new("sample", "tail sampling with the default policies, journal off", Mode("sample", ("SAMPLER_JOURNAL_BACKEND", "none"))),
        new("sample-sqlite", "tail sampling, SQLite journal (sync = full, the default)", Mode("sample", ("SAMPLER_JOURNAL_BACKEND", "sqlite"))),
        new("sample-sqlite-normal", "tail sampling, SQLite journal (sync = normal)", Mode("sample", ("SAMPLER_JOURNAL_BACKEND", "sqlite")), "sampler.journal.sync = normal"),

        new("sample-3-nodes", "tail sampling on a cluster of three nodes (127.0.0.2-4), journal off; the load spread over them",
            Mode("sample", ("SAMPLER_JOURNAL_BACKEND", "none")), Nodes: 3),
        new("sample-sqlite-3-nodes", "tail sampling on a cluster of three nodes (127.0.0.2-4), each with its SQLite journal; the load spread over them",
            Mode("sample", ("SAMPLER_JOURNAL_BACKEND", "sqlite")), Nodes: 3),

        // Needs a PostgreSQL server: BENCH_POSTGRESQL holds its Npgsql connection string.
        new("sample-postgresql", "tail sampling, PostgreSQL journal (sync = full)", Mode("sample", ("SAMPLER_JOURNAL_BACKEND", "postgresql")),
            "sampler.journal.postgresql.connection-string = ${?BENCH_POSTGRESQL}"),
    ];

    /// <summary>What runs when --variants is not given.</summary>
    public static IReadOnlyList<string> Default { get; } = [Baseline, "sample"];

    public static BenchVariant? Find(string name) => All.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));

    private static Dictionary<string, string> Mode(string mode, params (string Key, string Value)[] more)
    {
        var environment = new Dictionary<string, string> { ["SAMPLER_PIPELINE_MODE"] = mode };
        foreach (var (key, value) in more)
        {
            environment[key] = value;
        }

        return environment;
    }
}
