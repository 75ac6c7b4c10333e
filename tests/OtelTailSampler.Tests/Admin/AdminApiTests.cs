using System.Net;
using System.Text.Json;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Admin;

public sealed class AdminApiTests : IAsyncLifetime
{
    private readonly HttpClient _client = new();
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(TestNode.LoopbackOptions(_dataDir), new CapturingExporter());

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Healthz_says_alive()
    {
        using var response = await _client.GetAsync(new Uri(_node.AdminUri, "/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alive", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_reports_each_check_once_started()
    {
        using var response = await _client.GetAsync(new Uri(_node.AdminUri, "/readyz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("receivers").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("exporter").GetString());
    }

    [Fact]
    public async Task Readyz_is_503_with_the_failing_check_before_start()
    {
        var options = TestNode.LoopbackOptions(_dataDir);
        await using var node = OtelTailSampler.Hosting.SamplerNode.Create(options, _ => { }, new CapturingExporter());
        var readiness = (OtelTailSampler.Admin.NodeReadiness)node.Services.GetService(typeof(OtelTailSampler.Admin.NodeReadiness))!;
        readiness.Register("journal", () => "recovering shard 7");
        await node.StartAsync();

        using var response = await _client.GetAsync(new Uri($"http://127.0.0.1:{node.AdminEndpoint.Port}/readyz"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        Assert.Equal("recovering shard 7", checks.GetProperty("journal").GetString());
    }

    [Theory]
    [InlineData("/cluster/shards")]
    [InlineData("/traces/4bf92f3577b34da6a3ce929d0e0e4736")]
    public async Task Shard_inspection_says_a_pass_through_node_has_no_trace_shards(string path)
    {
        using var response = await _client.GetAsync(new Uri(_node.AdminUri, path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains("sampler.pipeline.mode = pass-through, which has no trace shards", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Otlp_paths_are_not_served_on_the_admin_port()
    {
        using var response = await _client.PostAsync(new Uri(_node.AdminUri, "/v1/traces"), new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
