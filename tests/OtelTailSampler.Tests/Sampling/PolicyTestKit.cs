using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.Configuration;
using OtelTailSampler.Configuration.Hocon;
using OtelTailSampler.Sampling;

namespace OtelTailSampler.Tests.Sampling;

/// <summary>Builds policy sets from HOCON and feeds them spans made with the generated OTLP types.</summary>
internal static class PolicyTestKit
{
    public const string ConfigFile = "policies.conf";

    public const ulong Start = 1_700_000_000_000_000_000UL;

    public static readonly byte[] TraceId = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    /// <summary>The <c>sampler.sampling</c> section of a configuration text.</summary>
    public static SettingsReader SamplingSection(string text)
    {
        var document = HoconDocument.Parse(text, ConfigFile);
        var root = new SettingsReader(new ConfigurationBuilder().AddHocon(document).Build(), document.PositionOf);
        return root.Section("sampler.sampling");
    }

    /// <summary>A policy set from the inside of <c>policies = [ ... ]</c>, which must bind without errors.</summary>
    public static PolicySet Set(string policies, TimeProvider? timeProvider = null, double shareOfRate = 1)
    {
        var sampling = SamplingSection($"sampler.sampling.policies = [\n{policies}\n]");
        var set = PolicySet.Bind(sampling, shareOfRate, timeProvider ?? new Support.ManualTimeProvider());
        Assert.Empty(sampling.Errors);
        return set;
    }

    public static Span Span(
        ulong durationMillis = 10,
        ulong startOffsetMillis = 0,
        Status.Types.StatusCode status = Status.Types.StatusCode.Unset,
        bool root = false,
        uint flags = 0,
        string traceState = "",
        params KeyValue[] attributes)
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(TraceId),
            SpanId = ByteString.CopyFrom([0, 0, 0, 0, 0, 0, 0, 7]),
            ParentSpanId = root ? ByteString.Empty : ByteString.CopyFrom([0, 0, 0, 0, 0, 0, 0, 1]),
            Name = "op",
            Kind = OpenTelemetry.Proto.Trace.V1.Span.Types.SpanKind.Server,
            StartTimeUnixNano = Start + startOffsetMillis * 1_000_000,
            EndTimeUnixNano = Start + (startOffsetMillis + durationMillis) * 1_000_000,
            Flags = flags,
            TraceState = traceState,
            Status = new Status { Code = status },
        };
        span.Attributes.AddRange(attributes);
        return span;
    }

    public static Span WithAttributes(params KeyValue[] attributes) => Span(attributes: attributes);

    public static KeyValue Str(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Int(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static KeyValue Double(string key, double value) => new() { Key = key, Value = new AnyValue { DoubleValue = value } };

    public static KeyValue Bool(string key, bool value) => new() { Key = key, Value = new AnyValue { BoolValue = value } };

    public static Resource Resource(params KeyValue[] attributes)
    {
        var resource = new Resource();
        resource.Attributes.AddRange(attributes);
        return resource;
    }

    /// <summary>The facts of a trace made of these spans, as a worker builds them.</summary>
    public static TraceFacts Observe(PolicySet set, params Span[] spans) => Observe(set, resource: null, spans);

    /// <summary>The facts of a trace whose spans all come from one resource.</summary>
    public static TraceFacts Observe(PolicySet set, Resource? resource, params Span[] spans)
    {
        var facts = default(TraceFacts);
        if (resource is not null)
        {
            facts.AddPredicateBits(set.ObserveResource(resource.ToByteArray()));
        }

        foreach (var span in spans)
        {
            set.ObserveSpan(span.ToByteArray(), ref facts);
        }

        return facts;
    }

    public static SamplingDecision Decide(PolicySet set, params Span[] spans) => set.Decide(Observe(set, spans), TraceId);

    public static bool Keeps(PolicySet set, params Span[] spans) => Decide(set, spans).Keep;

    public static bool Keeps(PolicySet set, Resource resource, params Span[] spans) =>
        set.Decide(Observe(set, resource, spans), TraceId).Keep;

    /// <summary>A trace ID from a number, spread over all 16 bytes so hashes differ in every way.</summary>
    public static byte[] RandomTraceId(Random random)
    {
        var id = new byte[16];
        random.NextBytes(id);
        return id;
    }
}
