using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OtelTailSampler.Cli;

/// <summary>
/// A node run as a child `otel-sampler` process, as a benchmark needs it: started with its own environment and
/// configuration, found by its start-up log line, measured through /proc (CPU time from /proc/PID/stat
/// utime + stime, peak resident memory from /proc/PID/status VmHWM), and stopped with SIGTERM.
/// </summary>
internal sealed partial class NodeProcess : IDisposable
{
    private const int KeptLines = 200;

    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly TaskCompletionSource<Match> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>The last lines the node wrote, for error messages.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_lines)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }

    /// <summary>User plus system CPU time so far (.NET reads utime and stime of /proc/PID/stat).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Peak resident set size (VmHWM), in bytes; 0 where /proc is not available.</summary>
    public long PeakResidentBytes
    {
        get
        {
            var status = $"/proc/{_process.Id}/status";
            if (!File.Exists(status))
            {
                return 0;
            }

            foreach (var line in File.ReadLines(status))
            {
                var match = KilobytesLine().Match(line);
                if (match.Success && match.Groups["name"].Value == "VmHWM")
                {
                    return long.Parse(match.Groups["kb"].Value, CultureInfo.InvariantCulture) * 1024;
                }
            }

            return 0;
        }
    }

    /// <summary>Starts `otel-sampler serve` with <paramref name="environment"/> added to this process's own.</summary>
    public static NodeProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, string? configFile)
    {
        var (file, prefix) = NodeCommand();
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in prefix)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("serve");
        if (configFile is not null)
        {
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(configFile);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var node = new NodeProcess(process);
        process.OutputDataReceived += (_, e) => node.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnOutput(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Waits for "OTel Tail Sampler listening: ..." and returns the bound OTLP ports.</summary>
    public async Task<(int Grpc, int Http)> WaitUntilListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (grpc, http, _) = await WaitUntilListeningWithAdminAsync(timeout, cancellationToken);
        return (grpc, http);
    }

    /// <summary>As <see cref="WaitUntilListeningAsync"/>, with the admin port too.</summary>
    public async Task<(int Grpc, int Http, int Admin)> WaitUntilListeningWithAdminAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var exited = _process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(_listening.Task, exited).WaitAsync(timeout, cancellationToken);
        if (first != _listening.Task)
        {
            throw new InvalidOperationException($"The node exited before it listened:{Environment.NewLine}{RecentOutput}");
        }

        var match = await _listening.Task;
        return (Port(match, "grpc"), Port(match, "http"), Port(match, "admin"));
    }

    /// <summary>SIGTERM, as a service manager stops it; killed when it has not exited within <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    /// <summary>This very binary: its apphost when run as one, otherwise `dotnet otel-sampler.dll`.</summary>
    private static (string File, string[] Prefix) NodeCommand()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "otel-sampler")
        {
            return (self, []);
        }

        var host = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        return (host, [Path.Combine(AppContext.BaseDirectory, "otel-sampler.dll")]);
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(match);
        }
    }

    private static int Port(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"listening: OTLP/gRPC [^,]*:(?<grpc>\d+), OTLP/HTTP [^,]*:(?<http>\d+), admin [^ ]*:(?<admin>\d+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^(?<name>\w+):\s+(?<kb>\d+) kB$")]
    private static partial Regex KilobytesLine();
}
