using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelTailSampler.Otlp.Json;
using OtelTailSampler.Tests.Support;
using Xunit.Abstractions;

namespace OtelTailSampler.Tests.EndToEnd;

/// <summary>
/// The durability promise with real processes: a node under load is killed with SIGKILL at random points and
/// restarted, several times; every span the client saw acknowledged is exported at least once.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 4;
    private const int SpansPerRequest = 5;
    private readonly string _directory = Directory.CreateTempSubdirectory("otel-sampler-crash-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly Dictionary<string, string> LoopbackPorts = SamplerProcess.LoopbackEnvironment();

    [Fact]
    public async Task Every_acknowledged_span_is_exported_after_repeated_sigkill()
    {
        // Keep everything, decided on arrival, journaled with fsync (the default), exported to files.
        var config = Path.Combine(_directory, "crash.conf");
        await File.WriteAllTextAsync(config, """
            sampler.sampling {
              max-spans-per-trace = 1
              policies = [{ name = keep-all, type = always-sample }]
            }
            """);
        var random = new Random(20261121);
        var acknowledged = new HashSet<string>();
        var next = 0;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        for (var round = 0; round < Kills; round++)
        {
            using var node = SamplerProcess.Start(_directory, LoopbackPorts, "--config", config);
            var ports = await node.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            var endpoint = new Uri($"http://127.0.0.1:{ports.Http}/v1/traces");
            var killAfter = random.Next(5, 40);

            // Requests go out four at a time; the kill lands while some are in flight.
            for (var sent = 0; sent < killAfter; sent += 4)
            {
                var batch = Enumerable.Range(0, 4).Select(_ => SendAsync(client, endpoint, next++)).ToList();
                if (sent + 4 >= killAfter)
                {
                    await node.KillAsync();
                }

                foreach (var (spans, ok) in await Task.WhenAll(batch))
                {
                    if (ok)
                    {
                        acknowledged.UnionWith(spans);
                    }
                }
            }
        }

        // The last start recovers what the last kill left; then the node is stopped cleanly.
        using (var node = SamplerProcess.Start(_directory, LoopbackPorts, "--config", config))
        {
            await node.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            await WaitForAsync(() => ExportedSpanIds().Exported.IsSupersetOf(acknowledged), TimeSpan.FromSeconds(60),
                () => $"{ExportedSpanIds().Torn} torn lines; missing {string.Join(", ", acknowledged.Except(ExportedSpanIds().Exported).Order(StringComparer.Ordinal))}; the node said:\n{node.StandardOutput}\n{node.StandardError}");
            Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(60)));
        }

        var (exported, lines, duplicates, torn) = ExportedSpanIds();
        output.WriteLine($"acknowledged {acknowledged.Count} spans over {Kills} kills; exported {exported.Count} distinct in {lines} lines; {duplicates} duplicates; {torn} torn lines");
        Assert.True(acknowledged.Count >= Kills * 10, $"only {acknowledged.Count} spans were acknowledged");
        Assert.Empty(acknowledged.Except(exported));
    }

    private static async Task<(List<string> Spans, bool Ok)> SendAsync(HttpClient client, Uri endpoint, int request)
    {
        var spans = Enumerable.Range(0, SpansPerRequest).Select(i =>
        {
            var span = OtlpSamples.Span(1, 1);
            span.TraceId = ByteString.CopyFrom(Id(16, request, i));
            span.SpanId = ByteString.CopyFrom(Id(8, request, i));
            return span;
        }).ToArray();
        var ids = spans.Select(s => Convert.ToHexStringLower(s.SpanId.Span)).ToList();
        try
        {
            using var content = new ByteArrayContent(OtlpSamples.Traces(spans).ToByteArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var response = await client.PostAsync(endpoint, content);
            return (ids, response.IsSuccessStatusCode);
        }
        catch (HttpRequestException)
        {
            return (ids, false);
        }
    }

    // A marker byte first, then request and index in the last four bytes: unique for every span of the test.
    private static byte[] Id(int length, int request, int index)
    {
        var id = new byte[length];
        id[0] = 0x5A;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(id.AsSpan(length - 4), (request * SpansPerRequest) + index + 1);
        return id;
    }

    private (HashSet<string> Exported, int Lines, int Duplicates, int Torn) ExportedSpanIds()
    {
        var exported = new HashSet<string>();
        int lines = 0, duplicates = 0, torn = 0;
        var folder = Path.Combine(_directory, "data", "export");
        if (!Directory.Exists(folder))
        {
            return (exported, 0, 0, 0);
        }

        foreach (var file in Directory.GetFiles(folder, "traces*.jsonl"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                lines++;
                try
                {
                    var request = OtlpJson.Parse<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(line));
                    foreach (var span in request.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans))
                    {
                        duplicates += exported.Add(Convert.ToHexStringLower(span.SpanId.Span)) ? 0 : 1;
                    }
                }
                catch (OtlpJsonException)
                {
                    // A process killed mid-write leaves half a line; what it held is exported again after recovery.
                    torn++;
                }
            }
        }

        return (exported, lines, duplicates, torn);
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"the recovered node did not export every acknowledged span in time: {(DateTime.UtcNow < deadline ? "" : describe())}");
            await Task.Delay(50);
        }
    }
}
