using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using OtelTailSampler.Hosting;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Persistence;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Hosting;

/// <summary>When the journal cannot commit, the node stops acknowledging, says so in /readyz, and recovers.</summary>
public sealed class JournalFailureTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-failing-").FullName;
    private readonly HttpClient _client = new();
    private readonly GrpcTestClient _grpc = new();
    private SamplerNode _node = null!;

    private string JournalFile => Path.Combine(_dataDir, "journal", "journal.db");

    public async Task InitializeAsync()
    {
        var options = TestNode.LoopbackOptions(_dataDir) with
        {
            PipelineMode = PipelineMode.Sample,
            Journal = new JournalOptions
            {
                Backend = JournalBackend.Sqlite,
                SqlitePath = Path.Combine(_dataDir, "journal"),
                SqliteBusyTimeout = TimeSpan.FromSeconds(1),
            },
        };
        _node = SamplerNode.Create(options, _ => { }, new CapturingExporter());
        await _node.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _grpc.Dispose();
        await _node.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    private async Task<HttpStatusCode> SendHttpAsync(int trace)
    {
        using var content = new ByteArrayContent(OtlpSamples.Traces(OtlpSamples.Span(trace, 1)).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await _client.PostAsync(new Uri($"http://127.0.0.1:{_node.HttpEndpoint.Port}/v1/traces"), content);
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> ReadyAsync()
    {
        using var response = await _client.GetAsync(new Uri($"http://127.0.0.1:{_node.AdminEndpoint.Port}/readyz"));
        return response.StatusCode;
    }

    [Fact]
    public async Task Locked_journal_refuses_acknowledgement_and_recovers_when_released()
    {
        Assert.Equal(HttpStatusCode.OK, await SendHttpAsync(1));

        using (var holder = new SqliteConnection($"Data Source={JournalFile}"))
        {
            await holder.OpenAsync();
            using (var exclusive = holder.CreateCommand())
            {
                exclusive.CommandText = "BEGIN EXCLUSIVE";
                await exclusive.ExecuteNonQueryAsync();
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, await SendHttpAsync(2));
            var grpc = await _grpc.CallAsync(new Uri($"http://127.0.0.1:{_node.GrpcEndpoint.Port}"), OtlpSignal.Traces.GrpcPath(),
                GrpcTestClient.Frame(OtlpSamples.Traces(OtlpSamples.Span(3, 1)).ToByteArray()));
            Assert.Equal(GrpcStatusCode.Unavailable, grpc.Status);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadyAsync());

            using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }

        Assert.Equal(HttpStatusCode.OK, await SendHttpAsync(4));
        Assert.Equal(HttpStatusCode.OK, await ReadyAsync());
    }
}
