using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Walks a validated ExportTraceServiceRequest once and sorts its spans by owning worker, reading only each
/// span's trace ID. Nothing is copied: spans, scopes and resources stay in the request's buffer.
/// </summary>
internal static class TraceRequestSplitter
{
    private const int SpanTraceIdField = 1;

    /// <summary>Returns, per worker, its batch (null where a worker gets nothing), and the request's span count.</summary>
    public static (SpanBatch?[] Batches, int SpanCount) Split(ReadOnlyMemory<byte> buffer, ShardRouter router)
    {
        var scopes = new List<ScopeRange>();
        var batches = new SpanBatch?[router.Workers];
        var pending = new List<(int Worker, RoutedSpanDraft Draft)>();
        var span = buffer.Span;
        var request = new ProtoReader(span);
        var resourceIndex = 0;
        while (request.TryReadTag(out var field, out var wireType))
        {
            if (field != 1 || wireType != WireType.LengthDelimited)
            {
                request.SkipField(field, wireType);
                continue;
            }

            var (resourceOffset, resourceLength) = request.ReadLengthDelimitedRange();
            var resource = new ProtoReader(span.Slice(resourceOffset, resourceLength));
            while (resource.TryReadTag(out field, out wireType))
            {
                if (field != 2 || wireType != WireType.LengthDelimited)
                {
                    resource.SkipField(field, wireType);
                    continue;
                }

                var (scopeRelative, scopeLength) = resource.ReadLengthDelimitedRange();
                var scopeOffset = resourceOffset + scopeRelative;
                var scopeIndex = scopes.Count;
                scopes.Add(new ScopeRange(resourceIndex, resourceOffset, resourceLength, scopeOffset, scopeLength));
                var scope = new ProtoReader(span.Slice(scopeOffset, scopeLength));
                while (scope.TryReadTag(out field, out wireType))
                {
                    if (field != 2 || wireType != WireType.LengthDelimited)
                    {
                        scope.SkipField(field, wireType);
                        continue;
                    }

                    var (spanRelative, spanLength) = scope.ReadLengthDelimitedRange();
                    var spanOffset = scopeOffset + spanRelative;
                    var traceId = ReadTraceId(span.Slice(spanOffset, spanLength));
                    var shard = router.ShardOf(traceId);
                    pending.Add((router.WorkerOfShard(shard), new RoutedSpanDraft(traceId, shard, scopeIndex, spanOffset, spanLength)));
                }
            }

            resourceIndex++;
        }

        var ingested = new IngestedRequest(buffer, [.. scopes]);
        ingested.AddReferences(pending.Count);
        foreach (var (worker, draft) in pending)
        {
            (batches[worker] ??= new SpanBatch()).Add(new RoutedSpan(draft.TraceId, draft.Shard, new SpanRef(ingested, draft.ScopeIndex, draft.Offset, draft.Length)));
        }

        return (batches, pending.Count);
    }

    private static TraceId ReadTraceId(ReadOnlySpan<byte> spanBytes)
    {
        var reader = new ProtoReader(spanBytes);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == SpanTraceIdField && wireType == WireType.LengthDelimited)
            {
                return TraceId.FromBytes(reader.ReadLengthDelimited());
            }

            reader.SkipField(field, wireType);
        }

        // The validator rejects spans without a whole trace ID before they get here.
        throw new ProtoWireException("A span without a trace_id reached the sampler.");
    }

    private readonly record struct RoutedSpanDraft(TraceId TraceId, int Shard, int ScopeIndex, int Offset, int Length);
}
