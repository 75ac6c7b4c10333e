using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace OtelTailSampler.Tests.Support;

/// <summary>The real `otel-sampler` binary run as a separate process, as a user runs it.</summary>
public sealed partial class SamplerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Match> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SamplerProcess(Process process) => _process = process;

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// The environment of a node that binds loopback only, on ports the OS picks (the defaults bind every interface on
    /// fixed ports); add to it what a test needs.
    /// </summary>
    public static Dictionary<string, string> LoopbackEnvironment() => new()
    {
        ["SAMPLER_OTLP_GRPC_ENDPOINT"] = "127.0.0.1:0",
        ["SAMPLER_OTLP_HTTP_ENDPOINT"] = "127.0.0.1:0",
        ["SAMPLER_ADMIN_ENDPOINT"] = "127.0.0.1:0",
        ["SAMPLER_CLUSTER_ENDPOINT"] = "127.0.0.1:0",
    };

    public static SamplerProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "otel-sampler.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var sampler = new SamplerProcess(process);
        process.OutputDataReceived += (_, e) => sampler.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (sampler._stderr)
            {
                sampler._stderr.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sampler;
    }

    /// <summary>Runs a command to completion and returns its exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, params string[] arguments)
    {
        using var process = Start(workingDirectory, null, arguments);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.StandardOutput, process.StandardError);
    }

    /// <summary>Waits for the start-up log line and returns the bound (gRPC, HTTP, admin) ports.</summary>
    public async Task<(int Grpc, int Http, int Admin)> WaitUntilListeningAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_listening.Task, exited).WaitAsync(timeout);
        if (first != _listening.Task)
        {
            throw new InvalidOperationException($"otel-sampler exited before listening:\n{StandardOutput}\n{StandardError}");
        }

        var match = await _listening.Task;
        return (Port(match, "grpc"), Port(match, "http"), Port(match, "admin"));
    }

    /// <summary>Asks the process to stop as a service manager does (SIGTERM) and returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        return await WaitForExitAsync(timeout);
    }

    /// <summary>Kills the process outright (SIGKILL), as a crash or an OOM killer would.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);

        // The parameterless wait also drains the redirected output.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout)
        {
            _stdout.AppendLine(line);
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(match);
        }
    }

    private static int Port(Match match, string group) => int.Parse(match.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"listening: OTLP/gRPC [^,]*:(?<grpc>\d+), OTLP/HTTP [^,]*:(?<http>\d+), admin .*:(?<admin>\d+)")]
    private static partial Regex ListeningLine();
}
