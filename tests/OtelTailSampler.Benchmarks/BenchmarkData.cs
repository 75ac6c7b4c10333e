using System.Buffers.Binary;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelTailSampler.LoadGen;
using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.Benchmarks;

/// <summary>
/// Requests for the benchmarks, from the load generator's traffic model (default settings: about 20 spans a
/// trace over 10 services), cut to an exact span count so every figure divides into a per-span one.
/// </summary>
public static class BenchmarkData
{
    /// <summary>Spans in one benchmark request: what the OpenTelemetry SDK's batch exporter sends by default.</summary>
    public const int SpansPerRequest = 512;

    /// <summary>A traces request with exactly <paramref name="spans"/> spans (the last trace may be cut short).</summary>
    public static byte[] TraceRequest(long seed, long batch, int spans = SpansPerRequest)
    {
        using var generator = new TrafficGenerator(new TrafficModel(seed, new TrafficOptions { SpansPerRequest = spans }));
        using var generated = generator.Generate(batch);
        var request = ExportTraceServiceRequest.Parser.ParseFrom(generated.Requests[0].Body.Span);
        var left = spans;
        foreach (var resource in request.ResourceSpans)
        {
            foreach (var scope in resource.ScopeSpans)
            {
                var keep = Math.Min(left, scope.Spans.Count);
                var kept = scope.Spans.Take(keep).ToList();
                scope.Spans.Clear();
                scope.Spans.AddRange(kept);
                left -= keep;
            }
        }

        var trimmed = request.ResourceSpans.Where(r => r.ScopeSpans.Any(s => s.Spans.Count > 0)).ToList();
        request.ResourceSpans.Clear();
        request.ResourceSpans.AddRange(trimmed);
        return request.ToByteArray();
    }

    /// <summary>Where each span's trace_id bytes are in a request, so a benchmark can give its traces fresh IDs.</summary>
    public static int[] TraceIdOffsets(byte[] request)
    {
        var offsets = new List<int>();
        foreach (var (offset, length) in SpanRanges(request))
        {
            var reader = new ProtoReader(request.AsSpan(offset, length));
            while (reader.TryReadTag(out var field, out var wireType))
            {
                if (field == 1 && wireType == WireType.LengthDelimited)
                {
                    var (idOffset, _) = reader.ReadLengthDelimitedRange();
                    offsets.Add(offset + idOffset);
                    break;
                }

                reader.SkipField(field, wireType);
            }
        }

        return [.. offsets];
    }

    /// <summary>
    /// Copies <paramref name="pristine"/> into <paramref name="target"/> with <paramref name="generation"/> mixed into the
    /// low 8 bytes of every trace ID: spans of one trace still share an ID, and no ID repeats another generation's, so
    /// no span of a new generation looks late to the decision cache.
    /// </summary>
    public static void Renumber(byte[] pristine, byte[] target, int[] traceIdOffsets, ulong generation)
    {
        pristine.CopyTo(target, 0);
        var mix = (generation + 1) * 0x9E3779B97F4A7C15UL;
        foreach (var offset in traceIdOffsets)
        {
            var low = target.AsSpan(offset + 8, 8);
            BinaryPrimitives.WriteUInt64BigEndian(low, BinaryPrimitives.ReadUInt64BigEndian(low) ^ mix);
        }
    }

    /// <summary>Offset and length of every Span message in an ExportTraceServiceRequest.</summary>
    public static List<(int Offset, int Length)> SpanRanges(byte[] request)
    {
        var ranges = new List<(int, int)>();
        var top = new ProtoReader(request);
        while (top.TryReadTag(out var field, out var wireType))
        {
            if (field != 1)
            {
                top.SkipField(field, wireType);
                continue;
            }

            var (resourceOffset, resourceLength) = top.ReadLengthDelimitedRange();
            var resource = new ProtoReader(request.AsSpan(resourceOffset, resourceLength));
            while (resource.TryReadTag(out field, out wireType))
            {
                if (field != 2)
                {
                    resource.SkipField(field, wireType);
                    continue;
                }

                var (scopeRelative, scopeLength) = resource.ReadLengthDelimitedRange();
                var scopeOffset = resourceOffset + scopeRelative;
                var scope = new ProtoReader(request.AsSpan(scopeOffset, scopeLength));
                while (scope.TryReadTag(out field, out wireType))
                {
                    if (field != 2)
                    {
                        scope.SkipField(field, wireType);
                        continue;
                    }

                    var (spanRelative, spanLength) = scope.ReadLengthDelimitedRange();
                    ranges.Add((scopeOffset + spanRelative, spanLength));
                }
            }
        }

        return ranges;
    }

    /// <summary>The parsed spans of a request, for setups that need to know their traces.</summary>
    public static List<Span> Spans(byte[] request) =>
        [.. ExportTraceServiceRequest.Parser.ParseFrom(request).ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans)];
}
