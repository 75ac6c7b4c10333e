using System.Buffers;
using Google.Protobuf.Reflection;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace OtelTailSampler.Otlp.Wire;

/// <summary>
/// Validates an OTLP Export request in one pass over its bytes: well-formed protobuf throughout, and every
/// item's IDs of the right length. Bad items are rejected one by one (OTLP partial success); the rest of the
/// request goes on as the client's own bytes.
/// </summary>
public static class OtlpRequestValidator
{
    public static MessageDescriptor RequestDescriptor(OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => ExportTraceServiceRequest.Descriptor,
        OtlpSignal.Metrics => ExportMetricsServiceRequest.Descriptor,
        OtlpSignal.Logs => ExportLogsServiceRequest.Descriptor,
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };

    /// <summary>
    /// Validates <paramref name="request"/>. Throws <see cref="ProtoWireException"/> when it is not a
    /// well-formed request at all (the whole request is then refused).
    /// </summary>
    public static OtlpValidation Validate(OtlpSignal signal, ReadOnlyMemory<byte> request)
    {
        WireSchemaValidator.Validate(request.Span, RequestDescriptor(signal));

        var accepted = 0;
        var rejected = 0;
        string? firstProblem = null;
        var resourceIndex = 0;
        var requestReader = new ProtoReader(request.Span);
        while (requestReader.TryReadTag(out var field, out var wireType))
        {
            if (field != OtlpFields.RequestResources || wireType != WireType.LengthDelimited)
            {
                requestReader.SkipField(field, wireType);
                continue;
            }

            var scopeIndex = 0;
            var resourceReader = new ProtoReader(requestReader.ReadLengthDelimited());
            while (resourceReader.TryReadTag(out field, out wireType))
            {
                if (field != OtlpFields.ResourceScopes || wireType != WireType.LengthDelimited)
                {
                    resourceReader.SkipField(field, wireType);
                    continue;
                }

                var itemIndex = 0;
                var scopeReader = new ProtoReader(resourceReader.ReadLengthDelimited());
                while (scopeReader.TryReadTag(out field, out wireType))
                {
                    if (field != OtlpFields.ScopeItems || wireType != WireType.LengthDelimited)
                    {
                        scopeReader.SkipField(field, wireType);
                        continue;
                    }

                    var item = scopeReader.ReadLengthDelimited();
                    var problem = CheckItem(signal, item, out var count);
                    if (problem is null)
                    {
                        accepted += count;
                    }
                    else
                    {
                        rejected += count;
                        firstProblem ??= $"{ItemNoun(signal)} {itemIndex} of scope {scopeIndex} of resource {resourceIndex}: {problem}";
                    }

                    itemIndex++;
                }

                scopeIndex++;
            }

            resourceIndex++;
        }

        if (rejected == 0)
        {
            return new OtlpValidation(request, accepted, 0, null);
        }

        var message = $"Rejected {rejected} {signal.ItemName()} with invalid IDs; first: {firstProblem}";
        return new OtlpValidation(Rewrite(signal, request.Span), accepted, rejected, message);
    }

    private static string ItemNoun(OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "span",
        OtlpSignal.Metrics => "metric",
        _ => "log record",
    };

    /// <summary>Null when the item is valid; otherwise why not. <paramref name="count"/> is its item count.</summary>
    private static string? CheckItem(OtlpSignal signal, ReadOnlySpan<byte> item, out int count)
    {
        count = 1;
        return signal switch
        {
            OtlpSignal.Traces => CheckSpan(item),
            OtlpSignal.Logs => CheckLogRecord(item),
            _ => CountDataPoints(item, out count),
        };
    }

    private static string? CheckSpan(ReadOnlySpan<byte> span)
    {
        var traceIdLength = 0;
        var spanIdLength = 0;
        var parentLength = 0;
        var traceIdZero = true;
        var spanIdZero = true;
        var reader = new ProtoReader(span);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (wireType != WireType.LengthDelimited)
            {
                reader.SkipField(field, wireType);
                continue;
            }

            switch (field)
            {
                case OtlpFields.SpanTraceId:
                    var traceId = reader.ReadLengthDelimited();
                    traceIdLength = traceId.Length;
                    traceIdZero = !traceId.ContainsAnyExcept((byte)0);
                    break;
                case OtlpFields.SpanSpanId:
                    var spanId = reader.ReadLengthDelimited();
                    spanIdLength = spanId.Length;
                    spanIdZero = !spanId.ContainsAnyExcept((byte)0);
                    break;
                case OtlpFields.SpanParentSpanId:
                    parentLength = reader.ReadLengthDelimited().Length;
                    break;
                default:
                    reader.SkipField(field, wireType);
                    break;
            }
        }

        if (traceIdLength != OtlpFields.TraceIdLength)
        {
            return $"trace_id is {traceIdLength} bytes, must be {OtlpFields.TraceIdLength}";
        }

        if (spanIdLength != OtlpFields.SpanIdLength)
        {
            return $"span_id is {spanIdLength} bytes, must be {OtlpFields.SpanIdLength}";
        }

        if (parentLength is not 0 and not OtlpFields.SpanIdLength)
        {
            return $"parent_span_id is {parentLength} bytes, must be empty or {OtlpFields.SpanIdLength}";
        }

        if (traceIdZero)
        {
            return "trace_id is all zeroes";
        }

        return spanIdZero ? "span_id is all zeroes" : null;
    }

    private static string? CheckLogRecord(ReadOnlySpan<byte> record)
    {
        var reader = new ProtoReader(record);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (wireType != WireType.LengthDelimited || field is not (OtlpFields.LogTraceId or OtlpFields.LogSpanId))
            {
                reader.SkipField(field, wireType);
                continue;
            }

            // Log records need no trace context, so empty IDs are fine; present ones must be whole.
            var length = reader.ReadLengthDelimited().Length;
            if (field == OtlpFields.LogTraceId && length is not 0 and not OtlpFields.TraceIdLength)
            {
                return $"trace_id is {length} bytes, must be empty or {OtlpFields.TraceIdLength}";
            }

            if (field == OtlpFields.LogSpanId && length is not 0 and not OtlpFields.SpanIdLength)
            {
                return $"span_id is {length} bytes, must be empty or {OtlpFields.SpanIdLength}";
            }
        }

        return null;
    }

    // A metric's items are its data points, whichever of the five data kinds holds them.
    private static string? CountDataPoints(ReadOnlySpan<byte> metric, out int count)
    {
        count = 0;
        var reader = new ProtoReader(metric);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (wireType != WireType.LengthDelimited || field is not (OtlpFields.MetricGauge or OtlpFields.MetricSum
                or OtlpFields.MetricHistogram or OtlpFields.MetricExponentialHistogram or OtlpFields.MetricSummary))
            {
                reader.SkipField(field, wireType);
                continue;
            }

            var dataReader = new ProtoReader(reader.ReadLengthDelimited());
            while (dataReader.TryReadTag(out var dataField, out var dataWireType))
            {
                if (dataField == OtlpFields.MetricDataPoints && dataWireType == WireType.LengthDelimited)
                {
                    count++;
                }

                dataReader.SkipField(dataField, dataWireType);
            }
        }

        return null;
    }

    // The rare path: rebuild the request with only the valid items, keeping every other field byte for byte
    // and leaving out scopes and resources that end up empty.
    private static byte[] Rewrite(OtlpSignal signal, ReadOnlySpan<byte> request)
    {
        var output = new ArrayBufferWriter<byte>(request.Length);
        var reader = new ProtoReader(request);
        while (true)
        {
            var start = reader.Position;
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                break;
            }

            if (field != OtlpFields.RequestResources || wireType != WireType.LengthDelimited)
            {
                reader.SkipField(field, wireType);
                output.Write(request[start..reader.Position]);
                continue;
            }

            var resource = RewriteContainer(reader.ReadLengthDelimited(), OtlpFields.ResourceScopes,
                scope => RewriteContainer(scope, OtlpFields.ScopeItems, item => CheckItem(signal, item, out _) is null ? item.ToArray() : null));
            if (resource is not null)
            {
                ProtoWriter.WriteBytesField(output, OtlpFields.RequestResources, resource);
            }
        }

        return output.WrittenSpan.ToArray();
    }

    private delegate byte[]? ChildRewriter(ReadOnlySpan<byte> child);

    /// <summary>Rewrites each <paramref name="childField"/> entry; null when no child is left.</summary>
    private static byte[]? RewriteContainer(ReadOnlySpan<byte> container, int childField, ChildRewriter rewriteChild)
    {
        var output = new ArrayBufferWriter<byte>(container.Length);
        var children = 0;
        var reader = new ProtoReader(container);
        while (true)
        {
            var start = reader.Position;
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                break;
            }

            if (field != childField || wireType != WireType.LengthDelimited)
            {
                reader.SkipField(field, wireType);
                output.Write(container[start..reader.Position]);
                continue;
            }

            var child = rewriteChild(reader.ReadLengthDelimited());
            if (child is not null)
            {
                ProtoWriter.WriteBytesField(output, childField, child);
                children++;
            }
        }

        return children == 0 ? null : output.WrittenSpan.ToArray();
    }
}
