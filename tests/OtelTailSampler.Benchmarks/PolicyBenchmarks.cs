using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;
using OtelTailSampler.Configuration;
using OtelTailSampler.Configuration.Hocon;
using OtelTailSampler.Sampling;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// Policy evaluation, per span of a 512-span request: each span observed once into its trace's facts (and each
/// resource once), then each trace decided, with the default policies and with a set of attribute rules.
/// </summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private const string AttributeRules = """
        sampler.sampling.policies = [
          { name = no-health, type = drop, policies = [{ type = string-attribute, key = url.path, values = ["^/health"], enabled-regex-matching = true }] }
          { name = errors, type = status-code, status-codes = [ERROR] }
          { name = slow, type = latency, threshold = 1s }
          { name = server-errors, type = numeric-attribute, key = http.response.status_code, min-value = 500 }
          { name = big-checkout, type = and, policies = [
              { type = string-attribute, key = service.name, values = [checkout, payment] }
              { type = span-count, min-spans = 10 } ] }
          { name = vip, type = string-attribute, key = app.tenant.id, values = [tenant-1, tenant-2] }
          { name = rest, type = probabilistic, sampling-percentage = 10 }
        ]
        """;

    private readonly ManualClock _clock = new();
    private PolicySet _set = null!;
    private byte[] _request = [];
    private (int Offset, int Length)[] _spans = [];
    private int[] _traceOfSpan = [];
    private int[] _resourceOfSpan = [];
    private byte[][] _resources = [];
    private byte[][] _traceIds = [];
    private ulong[] _resourceBits = [];
    private TraceFacts[] _facts = [];

    [Params("default", "attribute rules")]
    public string Policies { get; set; } = "default";

    [GlobalSetup]
    public void Setup()
    {
        _set = Policies == "default" ? PolicySet.Create(PolicySetOptions.Default, 1, _clock) : PolicySet.Create(Bind(AttributeRules), 1, _clock);
        _request = BenchmarkData.TraceRequest(seed: 4, batch: 0);
        _spans = [.. BenchmarkData.SpanRanges(_request)];
        var parsed = OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest.Parser.ParseFrom(_request);
        var traceIndex = new Dictionary<Google.Protobuf.ByteString, int>();
        var traces = new List<int>();
        var resources = new List<int>();
        _resources = [.. parsed.ResourceSpans.Select(r => Google.Protobuf.MessageExtensions.ToByteArray(r.Resource))];
        for (var r = 0; r < parsed.ResourceSpans.Count; r++)
        {
            foreach (var span in parsed.ResourceSpans[r].ScopeSpans.SelectMany(s => s.Spans))
            {
                if (!traceIndex.TryGetValue(span.TraceId, out var trace))
                {
                    traceIndex.Add(span.TraceId, trace = traceIndex.Count);
                }

                traces.Add(trace);
                resources.Add(r);
            }
        }

        _traceOfSpan = [.. traces];
        _resourceOfSpan = [.. resources];
        _traceIds = [.. traceIndex.OrderBy(t => t.Value).Select(t => t.Key.ToByteArray())];
        _resourceBits = new ulong[_resources.Length];
        _facts = new TraceFacts[_traceIds.Length];
    }

    [Benchmark(OperationsPerInvoke = BenchmarkData.SpansPerRequest, Description = "observe spans + decide traces")]
    public int ObserveAndDecide()
    {
        Array.Clear(_facts);
        for (var r = 0; r < _resources.Length; r++)
        {
            _resourceBits[r] = _set.ObserveResource(_resources[r]);
        }

        var request = _request.AsSpan();
        for (var i = 0; i < _spans.Length; i++)
        {
            ref var facts = ref _facts[_traceOfSpan[i]];
            _set.ObserveSpan(request.Slice(_spans[i].Offset, _spans[i].Length), ref facts);
            facts.AddPredicateBits(_resourceBits[_resourceOfSpan[i]]);
        }

        var kept = 0;
        var now = _clock.GetTimestamp();
        for (var t = 0; t < _facts.Length; t++)
        {
            kept += _set.Decide(in _facts[t], _traceIds[t], now).Keep ? 1 : 0;
        }

        return kept;
    }

    private static PolicySetOptions Bind(string text)
    {
        var document = HoconDocument.Parse(text, "benchmark.conf");
        var sampling = new SettingsReader(new ConfigurationBuilder().AddHocon(document).Build(), document.PositionOf).Section("sampler.sampling");
        var options = PolicySetOptions.Bind(sampling);
        if (sampling.Errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, sampling.Errors));
        }

        return options;
    }
}
