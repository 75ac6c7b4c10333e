using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OtelTailSampler.Export;
using OtelTailSampler.Export.File;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Export;

/// <summary>Exporters tell the caller what became of each request: what the journal waits for.</summary>
public sealed class ExportCompletionTests
{
    private static readonly byte[] Request = OtlpSamples.Traces(OtlpSamples.Span(1, 1)).ToByteArray();

    private static async Task<ExportResult> ExportAsync(ITelemetryExporter exporter)
    {
        var result = new TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, Request, 1, result.SetResult, durable: false));
        return await result.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Otlp_exporter_reports_delivery_once_the_backend_acknowledged()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        await using var exporter = new OtlpExporter(new OtlpExporterOptions { Endpoint = sink.GrpcEndpoint, BatchDelay = TimeSpan.Zero });

        Assert.Equal(ExportResult.Delivered, await ExportAsync(exporter));
        Assert.Equal(1, sink.SpanCount);
    }

    [Fact]
    public async Task Otlp_exporter_reports_a_permanent_error_as_refused()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        sink.FailNextHttpCalls(1, HttpStatusCode.BadRequest);
        await using var exporter = new OtlpExporter(new OtlpExporterOptions
        {
            Endpoint = sink.HttpEndpoint,
            Protocol = OtlpExportProtocol.HttpProtobuf,
            BatchDelay = TimeSpan.Zero,
        });

        Assert.Equal(ExportResult.Refused, await ExportAsync(exporter));
    }

    [Fact]
    public async Task Otlp_exporter_reports_a_retryable_failure_it_gave_up_on_as_abandoned()
    {
        await using var sink = await OtlpTestSink.StartAsync();
        sink.FailNextGrpcCalls(1, GrpcStatusCode.Unavailable);
        await using var exporter = new OtlpExporter(new OtlpExporterOptions { Endpoint = sink.GrpcEndpoint, BatchDelay = TimeSpan.Zero, RetryEnabled = false });

        Assert.Equal(ExportResult.Abandoned, await ExportAsync(exporter));
    }

    [Fact]
    public async Task File_exporter_reports_delivery_once_the_line_is_on_disk()
    {
        var directory = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;
        try
        {
            await using (var exporter = new FileExporter(new FileExporterOptions { Path = directory }, NullLogger<FileExporter>.Instance))
            {
                Assert.Equal(ExportResult.Delivered, await ExportAsync(exporter));
                Assert.Single(await System.IO.File.ReadAllLinesAsync(Path.Combine(directory, "traces.jsonl")));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task File_exporter_refuses_bytes_that_are_not_a_request()
    {
        var directory = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;
        try
        {
            await using var exporter = new FileExporter(new FileExporterOptions { Path = directory }, NullLogger<FileExporter>.Instance);
            var result = new TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously);

            Assert.True(exporter.TryEnqueue(OtlpSignal.Traces, new byte[] { 0x0A, 0x7F }, 1, result.SetResult, durable: false));

            Assert.Equal(ExportResult.Refused, await result.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
