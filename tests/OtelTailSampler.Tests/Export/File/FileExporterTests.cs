using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Export.File;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Json;
using OtelTailSampler.Tests.Support;
using IOFile = System.IO.File;
using IOPath = System.IO.Path;

namespace OtelTailSampler.Tests.Export.File;

public sealed class FileExporterTests : IDisposable
{
    private readonly string _directory = IOPath.Combine(IOPath.GetTempPath(), "file-exporter-" + Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _time = new();
    private readonly ListLogger<FileExporter> _logger = new();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Lines_are_otlp_json_that_parses_back_to_the_request()
    {
        var request = RichOtlpSamples.RichTraces();
        await using (var exporter = CreateExporter())
        {
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, request.ToByteArray(), 2));
        }

        var line = Assert.Single(ReadLines("traces.jsonl"));
        Assert.Equal(request, OtlpJson.Parse<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(line)));
    }

    [Fact]
    public async Task Two_enqueued_requests_give_two_lines_in_order()
    {
        var first = TracesNamed("first");
        var second = TracesNamed("second");
        await using (var exporter = CreateExporter())
        {
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, first.ToByteArray(), 1));
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, second.ToByteArray(), 1));
        }

        var lines = ReadLines("traces.jsonl");
        Assert.Equal(2, lines.Length);
        Assert.Equal(first, ParseTraces(lines[0]));
        Assert.Equal(second, ParseTraces(lines[1]));
    }

    [Fact]
    public async Task Each_signal_has_its_own_file()
    {
        var traces = RichOtlpSamples.RichTraces();
        var metrics = RichOtlpSamples.RichMetrics();
        var logs = RichOtlpSamples.RichLogs();
        await using (var exporter = CreateExporter())
        {
            Assert.True(exporter.TryEnqueue(OtlpSignal.Metrics, metrics.ToByteArray(), 5));
            Assert.True(exporter.TryEnqueue(OtlpSignal.Logs, logs.ToByteArray(), 2));
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, traces.ToByteArray(), 2));
        }

        Assert.Equal(["logs.jsonl", "metrics.jsonl", "traces.jsonl"], FileNames());
        Assert.Equal(traces, ParseTraces(Assert.Single(ReadLines("traces.jsonl"))));
        Assert.Equal(metrics, OtlpJson.Parse<ExportMetricsServiceRequest>(Encoding.UTF8.GetBytes(Assert.Single(ReadLines("metrics.jsonl")))));
        Assert.Equal(logs, OtlpJson.Parse<ExportLogsServiceRequest>(Encoding.UTF8.GetBytes(Assert.Single(ReadLines("logs.jsonl")))));
    }

    [Fact]
    public async Task Concatenated_requests_are_written_as_one_request()
    {
        var first = TracesNamed("a");
        var second = TracesNamed("b");
        byte[] batch = [.. first.ToByteArray(), .. second.ToByteArray()];
        await using (var exporter = CreateExporter())
        {
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, batch, 2));
        }

        var written = ParseTraces(Assert.Single(ReadLines("traces.jsonl")));
        Assert.Equal(["a", "b"], written.ResourceSpans.Select(r => r.ScopeSpans[0].Spans[0].Name));
    }

    [Fact]
    public async Task Rotation_by_size_keeps_at_most_max_files_and_the_newest_lines()
    {
        // Names of equal length give lines of equal length; the limit fits one line but not two.
        var requests = Enumerable.Range(0, 6).Select(i => TracesNamed($"span-{i}")).ToArray();
        var lineBytes = Encoding.UTF8.GetByteCount(OtlpJson.Format(requests[0])) + 1;
        await using (var exporter = CreateExporter(new FileExporterOptions { Path = _directory, MaxFileBytes = (2 * lineBytes) - 1, MaxFiles = 3 }))
        {
            foreach (var request in requests)
            {
                Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, request.ToByteArray(), 1));
            }
        }

        // Six lines made five rotations; the two newest rotated files and the active one remain.
        Assert.Equal(
            ["traces-20260101T000000Z-0004.jsonl", "traces-20260101T000000Z-0005.jsonl", "traces.jsonl"],
            FileNames());
        Assert.Equal(requests[3], ParseTraces(Assert.Single(ReadLines("traces-20260101T000000Z-0004.jsonl"))));
        Assert.Equal(requests[4], ParseTraces(Assert.Single(ReadLines("traces-20260101T000000Z-0005.jsonl"))));
        Assert.Equal(requests[5], ParseTraces(Assert.Single(ReadLines("traces.jsonl"))));
    }

    [Fact]
    public async Task Lines_fill_a_file_up_to_the_size_limit_before_it_rotates()
    {
        var requests = Enumerable.Range(0, 5).Select(i => TracesNamed($"span-{i}")).ToArray();
        var lineBytes = Encoding.UTF8.GetByteCount(OtlpJson.Format(requests[0])) + 1;
        await using (var exporter = CreateExporter(new FileExporterOptions { Path = _directory, MaxFileBytes = 2 * lineBytes }))
        {
            foreach (var request in requests)
            {
                Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, request.ToByteArray(), 1));
            }
        }

        Assert.Equal(2, ReadLines("traces-20260101T000000Z-0001.jsonl").Length);
        Assert.Equal(2, ReadLines("traces-20260101T000000Z-0002.jsonl").Length);
        Assert.Equal(requests[4], ParseTraces(Assert.Single(ReadLines("traces.jsonl"))));
        Assert.All(Directory.GetFiles(_directory), path => Assert.True(new FileInfo(path).Length <= 2 * lineBytes));
    }

    [Fact]
    public async Task A_line_larger_than_the_limit_gets_a_file_of_its_own()
    {
        await using (var exporter = CreateExporter(new FileExporterOptions { Path = _directory, MaxFileBytes = 10 }))
        {
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, TracesNamed("a").ToByteArray(), 1));
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, TracesNamed("b").ToByteArray(), 1));
        }

        Assert.Equal("a", ParseTraces(Assert.Single(ReadLines("traces-20260101T000000Z-0001.jsonl"))).ResourceSpans[0].ScopeSpans[0].Spans[0].Name);
        Assert.Equal("b", ParseTraces(Assert.Single(ReadLines("traces.jsonl"))).ResourceSpans[0].ScopeSpans[0].Spans[0].Name);
    }

    [Fact]
    public async Task Rotated_files_are_stamped_with_the_time_of_rotation()
    {
        await using (var exporter = CreateExporter(new FileExporterOptions { Path = _directory, MaxFileBytes = 10 }))
        {
            Assert.True(exporter.TryEnqueue(OtlpSignal.Logs, RichOtlpSamples.RichLogs().ToByteArray(), 2));
            await exporter.FlushAsync(CancellationToken.None);
            _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(5));
            Assert.True(exporter.TryEnqueue(OtlpSignal.Logs, RichOtlpSamples.RichLogs().ToByteArray(), 2));
        }

        Assert.Equal(["logs-20260101T010005Z-0001.jsonl", "logs.jsonl"], FileNames());
    }

    [Fact]
    public async Task Existing_files_are_appended_to_and_count_toward_max_files()
    {
        Directory.CreateDirectory(_directory);
        IOFile.WriteAllText(IOPath.Combine(_directory, "traces.jsonl"), "{\"resourceSpans\":[]}\n");
        IOFile.WriteAllText(IOPath.Combine(_directory, "traces-20250101T000000Z-0001.jsonl"), "old\n");
        IOFile.WriteAllText(IOPath.Combine(_directory, "traces-20250101T000000Z-0002.jsonl"), "old\n");
        IOFile.WriteAllText(IOPath.Combine(_directory, "traces-notes.jsonl"), "not ours\n");

        await using (var exporter = CreateExporter(new FileExporterOptions { Path = _directory, MaxFileBytes = 10, MaxFiles = 2 }))
        {
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, TracesNamed("new").ToByteArray(), 1));
        }

        // The earlier run's active file became the one rotated file kept; a look-alike name is left alone.
        Assert.Equal(["traces-20260101T000000Z-0001.jsonl", "traces-notes.jsonl", "traces.jsonl"], FileNames());
        Assert.Equal("{\"resourceSpans\":[]}", Assert.Single(ReadLines("traces-20260101T000000Z-0001.jsonl")));
        Assert.Equal("new", ParseTraces(Assert.Single(ReadLines("traces.jsonl"))).ResourceSpans[0].ScopeSpans[0].Spans[0].Name);
    }

    [Fact]
    public async Task A_torn_last_line_left_by_a_killed_process_does_not_swallow_the_next_line()
    {
        Directory.CreateDirectory(_directory);
        IOFile.WriteAllText(IOPath.Combine(_directory, "traces.jsonl"), "{\"resourceSpans\":[]}\n{\"resourceSpans\":[{\"sco");

        await using (var exporter = CreateExporter())
        {
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, TracesNamed("after the crash").ToByteArray(), 1));
        }

        var lines = ReadLines("traces.jsonl");
        Assert.Equal(3, lines.Length);
        Assert.Equal("after the crash", ParseTraces(lines[2]).ResourceSpans[0].ScopeSpans[0].Spans[0].Name);
    }

    [Fact]
    public async Task Flush_returns_once_earlier_requests_are_in_the_file()
    {
        await using var exporter = CreateExporter();
        Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, TracesNamed("a").ToByteArray(), 1));
        Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, TracesNamed("b").ToByteArray(), 1));

        await exporter.FlushAsync(CancellationToken.None);

        // Read while the exporter still holds the file open.
        using var stream = new FileStream(IOPath.Combine(_directory, "traces.jsonl"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task Flush_and_dispose_after_dispose_complete()
    {
        var exporter = CreateExporter();
        await exporter.DisposeAsync();

        await exporter.FlushAsync(CancellationToken.None);
        await exporter.DisposeAsync();

        Assert.False(exporter.TryEnqueue(OtlpSignal.Traces, TracesNamed("late").ToByteArray(), 1));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public async Task Undecodable_requests_are_logged_and_dropped()
    {
        await using (var exporter = CreateExporter())
        {
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, new byte[] { 0x0a, 0xff, 0xff }, 3));
            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, TracesNamed("ok").ToByteArray(), 1));
        }

        Assert.Equal("ok", ParseTraces(Assert.Single(ReadLines("traces.jsonl"))).ResourceSpans[0].ScopeSpans[0].Spans[0].Name);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal("Dropped 3 spans: the request is not valid protobuf", entry.Message);
    }

    [Fact]
    public async Task Write_failures_are_logged_and_writing_resumes_once_the_path_works()
    {
        // A file where the directory should be: creating the directory fails.
        IOFile.WriteAllText(_directory, "in the way");
        try
        {
            await using var exporter = CreateExporter();
            Assert.True(exporter.TryEnqueue(OtlpSignal.Metrics, RichOtlpSamples.RichMetrics().ToByteArray(), 5));
            await exporter.FlushAsync(CancellationToken.None);

            Assert.Equal([LogLevel.Warning, LogLevel.Error], _logger.Entries.Select(e => e.Level));
            Assert.StartsWith("File export of metrics to ", _logger.Entries[0].Message, StringComparison.Ordinal);
            Assert.StartsWith("Dropped 5 data points (1 requests) that could not be written to ", _logger.Entries[1].Message, StringComparison.Ordinal);

            IOFile.Delete(_directory);
            _time.Advance(TimeSpan.FromSeconds(3));
            Assert.True(exporter.TryEnqueue(OtlpSignal.Metrics, RichOtlpSamples.RichMetrics().ToByteArray(), 5));
            await exporter.FlushAsync(CancellationToken.None);

            var recovered = _logger.Entries[^1];
            Assert.Equal(LogLevel.Information, recovered.Level);
            Assert.EndsWith("succeeds again after 3.0s of failures (1 failed writes)", recovered.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (IOFile.Exists(_directory))
            {
                IOFile.Delete(_directory);
            }
        }

        Assert.Single(ReadLines("metrics.jsonl"));
    }

    [Theory]
    [InlineData(0, 10, 1)]
    [InlineData(100, 0, 1)]
    [InlineData(100, 10, 0)]
    public void Invalid_limits_are_rejected(long maxFileBytes, int maxFiles, int queueCapacity)
    {
        var options = new FileExporterOptions { Path = _directory, MaxFileBytes = maxFileBytes, MaxFiles = maxFiles, QueueCapacity = queueCapacity };

        Assert.Throws<ArgumentOutOfRangeException>(() => new FileExporter(options, _logger, _time));
    }

    [Fact]
    public void Options_default_to_a_local_directory_of_ten_files_of_100_mib()
    {
        var options = new FileExporterOptions();

        Assert.Equal("./data/export", options.Path);
        Assert.Equal(100L * 1024 * 1024, options.MaxFileBytes);
        Assert.Equal(10, options.MaxFiles);
        Assert.Equal(1024, options.QueueCapacity);
    }

    private static ExportTraceServiceRequest TracesNamed(string name) => new()
    {
        ResourceSpans =
        {
            new ResourceSpans
            {
                ScopeSpans =
                {
                    new ScopeSpans
                    {
                        Spans = { new Span { TraceId = RichOtlpSamples.TraceId, SpanId = RichOtlpSamples.SpanId, Name = name, Kind = Span.Types.SpanKind.Client } },
                    },
                },
            },
        },
    };

    private static ExportTraceServiceRequest ParseTraces(string line) =>
        OtlpJson.Parse<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(line));

    private FileExporter CreateExporter(FileExporterOptions? options = null) =>
        new(options ?? new FileExporterOptions { Path = _directory }, _logger, _time);

    private string[] ReadLines(string fileName) => IOFile.ReadAllLines(IOPath.Combine(_directory, fileName));

    private string[] FileNames() =>
        [.. Directory.GetFiles(_directory).Select(IOPath.GetFileName).Order(StringComparer.Ordinal).Cast<string>()];
}
