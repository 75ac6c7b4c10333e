using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Export;
using OtelTailSampler.Export.File;
using OtelTailSampler.Otlp;
using OtelTailSampler.Tests.Export.Otlp;
using OtelTailSampler.Tests.Support;
using IOFile = System.IO.File;
using IOPath = System.IO.Path;

namespace OtelTailSampler.Tests.Export.File;

/// <summary>
/// A directory that cannot be written (a file stands where it should be): what the operator reads, what the
/// callers hear, and what /readyz would say.
/// </summary>
public sealed class FileExporterFailureTests : IAsyncLifetime
{
    private static readonly byte[] Metrics = RichOtlpSamples.RichMetrics().ToByteArray();
    private readonly string _directory = IOPath.Combine(IOPath.GetTempPath(), "file-exporter-" + Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _time = new();
    private readonly ListLogger<FileExporter> _logger = new();
    private readonly ExporterMetricsRecorder _metrics = new();
    private FileExporter _exporter = null!;

    public Task InitializeAsync()
    {
        IOFile.WriteAllText(_directory, "in the way");
        _exporter = new FileExporter(new FileExporterOptions { Path = _directory }, _logger, _time, _metrics);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _exporter.DisposeAsync();
        _metrics.Dispose();
        if (IOFile.Exists(_directory))
        {
            IOFile.Delete(_directory);
        }
        else if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_durable_request_that_could_not_be_written_is_returned_without_a_drop_line()
    {
        var result = await WriteAsync(durable: true);

        Assert.Equal(ExportResult.Abandoned, result);
        Assert.Equal(5, _metrics.Returned(OtlpSignal.Metrics));
        Assert.Equal(0, _metrics.Dropped(OtlpSignal.Metrics));
        var warning = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.StartsWith($"File export of metrics to {IOPath.Combine(_directory, "metrics.jsonl")} is failing: ", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("dropped", warning.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Failures_are_logged_once_per_interval_and_drops_are_summed_into_one_line_each_time()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ExportResult.Abandoned, await WriteAsync(durable: false));
        }

        _time.Advance(TimeSpan.FromSeconds(10));
        await WriteAsync(durable: true);

        var path = IOPath.Combine(_directory, "metrics.jsonl");
        Assert.Collection(
            _logger.Entries,
            e => AssertLine(LogLevel.Warning, $"File export of metrics to {path} is failing: ", e),
            e => AssertLine(LogLevel.Error, $"Dropped 5 data points (1 requests) that could not be written to {path}: ", e),
            e => AssertLine(LogLevel.Warning, $"File export of metrics to {path} still failing after 10.0s: 3 writes failed in the last 10.0s; last error: ", e),
            e => AssertLine(LogLevel.Error, $"Dropped 10 data points (2 requests) that could not be written to {path}: ", e));
        Assert.Equal(15, _metrics.Dropped(OtlpSignal.Metrics));
        Assert.Equal(5, _metrics.Returned(OtlpSignal.Metrics));
        Assert.Equal(4, _metrics.Attempts(OtlpSignal.Metrics, "retryable"));
    }

    [Fact]
    public async Task Health_turns_failing_after_unhealthy_after_and_recovers_at_the_first_written_line()
    {
        await WriteAsync(durable: true);
        _time.Advance(TimeSpan.FromSeconds(29));
        await WriteAsync(durable: true);
        Assert.Null(_exporter.Health.FailingReason());

        _time.Advance(TimeSpan.FromSeconds(1));
        var reason = _exporter.Health.FailingReason();
        Assert.StartsWith("failing: exports of metrics since 2026-01-01T00:00:00Z (30.0s), last error: ", reason, StringComparison.Ordinal);

        IOFile.Delete(_directory);
        Assert.Equal(ExportResult.Delivered, await WriteAsync(durable: true));
        Assert.Null(_exporter.Health.FailingReason());
        Assert.Equal(5, _metrics.Exported(OtlpSignal.Metrics));
        Assert.EndsWith("succeeds again after 30.0s of failures (2 failed writes)", _logger.Entries[^1].Message, StringComparison.Ordinal);
    }

    // The error text after the prefix is the platform's; the prefix is ours.
    private static void AssertLine(LogLevel level, string prefix, (LogLevel Level, string Message, Exception? Exception) entry)
    {
        Assert.Equal(level, entry.Level);
        Assert.StartsWith(prefix, entry.Message, StringComparison.Ordinal);
    }

    private async Task<ExportResult> WriteAsync(bool durable)
    {
        var result = new TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(_exporter.TryEnqueue(OtlpSignal.Metrics, Metrics, 5, result.SetResult, durable));
        return await result.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
