using System.Diagnostics;
using System.Globalization;
using System.Text;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.LoadGen;

/// <summary>`otel-sampler loadgen` and `otel-sampler bench`, run as a user runs them. Shape only: speed is for benchmarks.</summary>
public sealed class CommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-loadgen-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Runs the binary to completion; the bench starts nodes of its own, so it may take a while on a busy machine.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "otel-sampler.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Loadgen_sends_a_bounded_run_to_a_node_and_prints_the_summary()
    {
        var exporter = new CapturingExporter();
        await using var node = await TestNode.StartAsync(TestNode.LoopbackOptions(Path.Combine(_directory, "data")), exporter);

        var (code, stdout, stderr) = await RunAsync("loadgen", "--endpoint", node.HttpUri.ToString(), "--protocol", "http",
            "--batches", "6", "--spans-per-request", "50", "--metrics-every", "3", "--metric-series", "12", "--seed", "5", "--start-time", "2026-03-01T00:00:00Z");

        Assert.True(code == 0, stderr);
        var spans = exporter.Traces.Sum(r => r.ResourceSpans.Sum(rs => rs.ScopeSpans.Sum(s => s.Spans.Count)));
        Assert.Contains("as fast as acknowledged to 1 endpoint over http, seed 5", stdout, StringComparison.Ordinal);
        var row = stdout.Split('\n').Single(line => line.StartsWith("spans ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["spans", "6", spans.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)], row[..3]);
        Assert.Equal(row[2], row[3]);
        Assert.Contains("ack latency: p50", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loadgen_refuses_bad_options_and_reports_what_it_could_not_deliver()
    {
        var (badCode, _, badErr) = await RunAsync("loadgen", "--endpoint", "ftp://example", "--duration", "soon");
        Assert.NotEqual(0, badCode);
        Assert.Contains("'ftp://example' is not an http:// or https:// URL", badErr, StringComparison.Ordinal);
        Assert.Contains("'soon' is not a duration", badErr, StringComparison.Ordinal);

        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (code, stdout, stderr) = await RunAsync("loadgen", "--endpoint", $"http://127.0.0.1:{closedPort}", "--batches", "1", "--max-attempts", "1");
        Assert.Equal(1, code);
        Assert.Contains("not acknowledged", stdout, StringComparison.Ordinal);
        Assert.Contains("were not acknowledged", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_prints_one_table_with_a_row_per_variant_against_decode_only()
    {
        var (code, stdout, stderr) = await RunAsync("bench", "--duration", "1s", "--warmup", "1s", "--concurrency", "2", "--memory-spans", "2000");

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = Array.FindIndex(lines, l => l.StartsWith("| variant |", StringComparison.Ordinal));
        Assert.True(header >= 0, stdout);
        Assert.Equal(
            "| variant | spans/s | vs decode-only | ack p50 | ack p99 | ½ load: spans/s | ½ load: ack p50 | ½ load: ack p99 | node CPU s / M spans | node peak RSS | bytes / buffered span |",
            lines[header]);
        var baseline = lines[header + 2].Split('|', StringSplitOptions.TrimEntries);
        var sample = lines[header + 3].Split('|', StringSplitOptions.TrimEntries);
        Assert.Equal(13, baseline.Length);
        Assert.Equal("decode-only", baseline[1]);
        Assert.Equal("1.00", baseline[3]);
        Assert.Equal("n/a", baseline[11]);
        Assert.Equal("sample", sample[1]);
        Assert.Matches(@"^\d+\.\d\d$", sample[3]);

        // The half-load run sends at half the rate the maximum-load run reached, and reports its latency.
        var reached = double.Parse(sample[2].Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        var half = double.Parse(sample[6].Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        Assert.InRange(half, reached * 0.3, reached * 0.7);
        Assert.Matches(@"^[\d.,]+ ms$", sample[8]);
        Assert.Matches(@"^[\d,]+ MiB$", sample[10]);
        Assert.Matches(@"^-?[\d,]+ \+ [\d,]+ wire$", sample[11]);
        Assert.Contains("Machine: ", stdout, StringComparison.Ordinal);
        Assert.Contains("sample: holding", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_refuses_an_unknown_variant()
    {
        var (code, _, stderr) = await RunAsync("bench", "--variants", "decode-only,turbo");

        Assert.Equal(2, code);
        Assert.Contains("unknown variant 'turbo'", stderr, StringComparison.Ordinal);
    }
}
