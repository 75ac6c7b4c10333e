namespace OtelTailSampler.LoadGen;

/// <summary>The database a service uses: its system, namespace, tables and the pre-encoded queries on them.</summary>
internal sealed class DatabaseProfile
{
    private static readonly string[] Operations = ["SELECT", "INSERT", "UPDATE"];

    public DatabaseProfile(string system, string service, string[] collections)
    {
        System = Utf8(system);
        Namespace = Utf8(service.Replace('-', '_'));
        Address = Utf8($"{service}-{system}");
        Collections = [.. collections.Select(Utf8)];
        OperationNames = [.. Operations.Select(Utf8)];
        SpanNames = [.. Operations.Select(op => collections.Select(c => Utf8($"{op} {c}")).ToArray())];
        Queries = [.. Operations.Select(op => collections.Select(c => Utf8(Query(system, op, c))).ToArray())];
    }

    public byte[] System { get; }

    public byte[] Namespace { get; }

    public byte[] Address { get; }

    public byte[][] Collections { get; }

    public byte[][] OperationNames { get; }

    /// <summary>By operation, then collection.</summary>
    public byte[][][] SpanNames { get; }

    /// <summary>By operation, then collection.</summary>
    public byte[][][] Queries { get; }

    public int OperationCount => OperationNames.Length;

    private static string Query(string system, string operation, string collection) => (system, operation) switch
    {
        ("redis", "SELECT") => $"GET {collection}:?",
        ("redis", _) => $"SET {collection}:? ?",
        (_, "SELECT") => $"SELECT id, data, updated_at FROM {collection} WHERE id = $1",
        (_, "INSERT") => $"INSERT INTO {collection} (id, data, updated_at) VALUES ($1, $2, now())",
        _ => $"UPDATE {collection} SET data = $2, updated_at = now() WHERE id = $1",
    };

    private static byte[] Utf8(string text) => global::System.Text.Encoding.UTF8.GetBytes(text);
}
