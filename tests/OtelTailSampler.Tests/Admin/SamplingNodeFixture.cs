using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;
using OtelTailSampler.Tests.Support;

namespace OtelTailSampler.Tests.Admin;

/// <summary>
/// One sampling node, a cluster of one, shared by the tests of a class (a node takes seconds to leave its cluster):
/// it keeps traces with an error and decides a trace at its second span, so that no timer is involved.
/// </summary>
public sealed class SamplingNodeFixture : IAsyncLifetime
{
    public const int Shards = 100;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("otel-sampler-test-").FullName;

    public TestNode Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = TestNode.LoopbackOptions(_dataDir) with
        {
            PipelineMode = PipelineMode.Sample,
            Sampling = new SamplingOptions
            {
                MaxSpansPerTrace = 2,
                Policies = new PolicySetOptions([new StatusCodePolicyOptions("keep-errors", [SpanStatusCode.Error])]),
            },
            Sharding = new ShardingOptions { Shards = Shards },
        };
        Node = await TestNode.StartAsync(options, new CapturingExporter());
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
