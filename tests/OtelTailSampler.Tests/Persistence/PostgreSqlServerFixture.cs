using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace OtelTailSampler.Tests.Persistence;

/// <summary>
/// A real PostgreSQL server for the tests, on 127.0.0.1 at a free port: initdb into a temporary directory, then
/// pg_ctl start with fsync off (the tests need speed, not durability), stopped and deleted on dispose. Uses Debian's
/// server binaries (<c>apt-get install -y postgresql</c>) without the system service. initdb refuses to run as root,
/// so as root the binaries run as the <c>postgres</c> user that the package creates.
/// </summary>
public sealed class PostgreSqlServerFixture : IAsyncLifetime
{
    private const string InstallHint = "Install the server with: apt-get install -y postgresql (Debian 12 gives PostgreSQL 15; " +
                                       "its system service is not needed, the tests start their own server)";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private string _binDirectory = "";
    private string _root = "";
    private bool _asPostgresUser;

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_root, "data");

    private string LogFile => Path.Combine(_root, "server.log");

    public async Task InitializeAsync()
    {
        _binDirectory = FindBinDirectory();
        _asPostgresUser = Environment.IsPrivilegedProcess;
        _root = Directory.CreateTempSubdirectory("otel-sampler-pg-").FullName;
        Port = FreePort();
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _root]);
        }

        await RunServerToolAsync("initdb",
            ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"]);
        await StartServerAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Directory.Exists(DataDirectory) && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
            }
        }
        finally
        {
            if (_root.Length > 0 && Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
    }

    /// <summary>Starts the server (again, after <see cref="StopServerAsync"/>) on the same port and data.</summary>
    public Task StartServerAsync() =>
        RunServerToolAsync("pg_ctl",
        [
            "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories={_root} -c fsync=off -c full_page_writes=off",
            "start",
        ]);

    /// <summary>Stops the server, disconnecting every client, as a crashed or restarted database would.</summary>
    public Task StopServerAsync() => RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString("postgres", pooling: false));
        await using var command = dataSource.CreateCommand($"DROP DATABASE IF EXISTS \"{name}\"; CREATE DATABASE \"{name}\"");
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name, pooling: true);
    }

    private string ConnectionString(string database, bool pooling) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = pooling,
        Timeout = 5,
    }.ConnectionString;

    /// <summary>The bin directory of the installed server, preferring 15, under Debian's layout <c>ROOT/VERSION/bin</c>.</summary>
    internal static string FindBinDirectory(string root = "/usr/lib/postgresql")
    {
        var candidates = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), out var number) ? number : 0, Bin: Path.Combine(version, "bin")))
                .Where(candidate => File.Exists(Path.Combine(candidate.Bin, "initdb")) && File.Exists(Path.Combine(candidate.Bin, "pg_ctl")))
                .OrderByDescending(candidate => candidate.Version == 15)
                .ThenByDescending(candidate => candidate.Version)
                .ToList()
            : [];
        return candidates.Count > 0
            ? candidates[0].Bin
            : throw new InvalidOperationException($"PostgreSQL server binaries (initdb, pg_ctl) were not found under {root}/*/bin. {InstallHint}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunServerToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        var executable = Path.Combine(_binDirectory, tool);
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", executable, .. arguments])
            : RunAsync(executable, arguments);
    }

    private async Task RunAsync(string executable, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user may not be allowed into the test's working directory.
            WorkingDirectory = _root.Length > 0 ? _root : Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(output, error);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', arguments)} did not finish within {CommandTimeout.TotalSeconds}s");
        }

        if (process.ExitCode != 0)
        {
            var message = new StringBuilder()
                .Append(executable).Append(' ').AppendJoin(' ', arguments).Append(" exited with ").Append(process.ExitCode).AppendLine(":")
                .AppendLine(await output).AppendLine(await error);
            if (File.Exists(LogFile))
            {
                message.AppendLine("server log:").AppendLine(await File.ReadAllTextAsync(LogFile));
            }

            throw new InvalidOperationException(message.ToString());
        }
    }
}
