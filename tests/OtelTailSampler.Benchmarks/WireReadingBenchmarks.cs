using BenchmarkDotNet.Attributes;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// Reading OTLP off the wire, per span of a 512-span request: the receiver's validation (schema walk plus ID
/// checks) and a bare ProtoReader walk of every field, its floor. Benchmark classes are not sealed:
/// BenchmarkDotNet derives from them.
/// </summary>
[MemoryDiagnoser]
public class WireReadingBenchmarks
{
    private byte[] _request = [];

    [GlobalSetup]
    public void Setup() => _request = BenchmarkData.TraceRequest(seed: 1, batch: 0);

    [Benchmark(OperationsPerInvoke = BenchmarkData.SpansPerRequest, Description = "validate request (receiver)")]
    public int Validate() => OtlpRequestValidator.Validate(OtlpSignal.Traces, _request).AcceptedItems;

    [Benchmark(OperationsPerInvoke = BenchmarkData.SpansPerRequest, Description = "walk every field (ProtoReader floor)")]
    public int WalkEveryField() => Walk(_request, 0);

    private static int Walk(ReadOnlySpan<byte> message, int depth)
    {
        var fields = 0;
        var reader = new ProtoReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            fields++;
            if (wireType == WireType.LengthDelimited && depth < 3)
            {
                fields += Walk(reader.ReadLengthDelimited(), depth + 1);
            }
            else
            {
                reader.SkipField(field, wireType);
            }
        }

        return fields;
    }
}
