using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Admin;

/// <summary>
/// On a sampling node, a cluster of one, that keeps traces with an error and decides a trace at its second span:
/// `GET /traces/{id}` tells a kept trace from a dropped one and from one still buffered, and `GET /cluster/shards`
/// lists this member with the shards those traces reached. Each test sends traces of its own.
/// </summary>
public sealed class TraceInspectionTests(SamplingNodeFixture fixture) : IClassFixture<SamplingNodeFixture>, IDisposable
{
    private const int Shards = SamplingNodeFixture.Shards;
    private readonly HttpClient _client = new();

    private TestNode Node => fixture.Node;

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task A_kept_a_dropped_and_a_buffered_trace_are_reported_as_such_by_the_node_hosting_their_shard()
    {
        var failing = OtlpSamples.Span(1, 2, "charge", parent: 1);
        failing.Status = new OpenTelemetry.Proto.Trace.V1.Status { Code = OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Error };
        await SendAsync(OtlpSamples.Span(1, 1), failing, OtlpSamples.Span(2, 3), OtlpSamples.Span(2, 4, parent: 3), OtlpSamples.Span(3, 5));

        var kept = await GetTraceAsync(Hex(1));
        Assert.Equal("kept", kept.GetProperty("state").GetString());
        Assert.Equal("keep-errors", kept.GetProperty("policy").GetString());
        Assert.Equal(1.0, kept.GetProperty("adjusted-count").GetDouble());
        Assert.Equal(ShardOf(1), kept.GetProperty("shard").GetInt32());
        Assert.Equal(Shards, kept.GetProperty("shards").GetInt32());
        Assert.Equal(kept.GetProperty("self").GetString(), kept.GetProperty("owner").GetString());

        Assert.Equal("dropped", (await GetTraceAsync(Hex(2))).GetProperty("state").GetString());

        var buffered = await GetTraceAsync(Hex(3));
        Assert.Equal("buffered", buffered.GetProperty("state").GetString());
        Assert.Equal(1, buffered.GetProperty("buffered-spans").GetInt32());

        // A trace that never arrived: its shard may or may not be hosted yet, but nothing is known of it.
        var never = (await GetTraceAsync(Hex(200))).GetProperty("state").GetString();
        Assert.True(never is "unknown" or "unallocated", never);
    }

    [Theory]
    [InlineData("xyz")]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473")]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473g")]
    [InlineData("00000000000000000000000000000000")]
    public async Task A_trace_id_that_is_not_32_hex_characters_or_is_all_zero_is_answered_400(string traceId)
    {
        using var response = await _client.GetAsync(new Uri(Node.AdminUri, "/traces/" + traceId));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains("trace ID", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_shards_lists_this_member_with_the_shards_its_traces_reached()
    {
        await SendAsync(OtlpSamples.Span(7, 1), OtlpSamples.Span(8, 2), OtlpSamples.Span(9, 3));

        var body = await _client.GetStringAsync(new Uri(Node.AdminUri, "/cluster/shards"));

        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal(Shards, root.GetProperty("shards").GetInt32());
        var member = Assert.Single(root.GetProperty("members").EnumerateArray().ToList());
        Assert.Equal(root.GetProperty("self").GetString(), member.GetProperty("address").GetString());
        var hosted = member.GetProperty("shards").EnumerateArray().Select(shard => shard.GetInt32()).ToList();
        Assert.Equal(hosted.Order(), hosted);
        Assert.All(new[] { 7, 8, 9 }, trace => Assert.Contains(ShardOf(trace), hosted));
        Assert.Equal(Shards - hosted.Count, root.GetProperty("unallocated").GetInt32());
    }

    private static string Hex(int trace) => Convert.ToHexStringLower(OtlpSamples.TraceId(trace).Span);

    private static int ShardOf(int trace) => new ShardRouter(Shards, 1).ShardOf(TraceId.Parse(Hex(trace)));

    private async Task SendAsync(params OpenTelemetry.Proto.Trace.V1.Span[] spans)
    {
        using var content = new ByteArrayContent(OtlpSamples.Traces(spans).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await _client.PostAsync(new Uri(Node.HttpUri, "/v1/traces"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonElement> GetTraceAsync(string traceId)
    {
        using var response = await _client.GetAsync(new Uri(Node.AdminUri, "/traces/" + traceId));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
