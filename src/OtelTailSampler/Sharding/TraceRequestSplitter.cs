using System.Buffers;
using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Walks a validated ExportTraceServiceRequest once and sorts its spans by trace shard (on their way to the shard's
/// owner) or by router group (on replay), reading only each span's trace ID. Nothing is copied: spans, scopes and
/// resources stay in the request's buffer.
/// </summary>
internal static class TraceRequestSplitter
{
    private const int SpanTraceIdField = 1;

    // What a span takes in a request, a little under the load generator's 230 to 250 B: a first guess of the span
    // count that rarely has to grow.
    private const int EstimatedSpanBytes = 200;

    /// <summary>Returns, per router group, its batch (null where a group gets nothing), and the request's span count.</summary>
    public static (SpanBatch?[] Batches, int SpanCount) Split(ReadOnlyMemory<byte> buffer, ShardRouter router)
    {
        var (drafts, count, ingested) = Read(buffer, router);
        try
        {
            var batches = new SpanBatch?[router.Workers];
            foreach (var draft in drafts.AsSpan(0, count))
            {
                (batches[router.WorkerOfShard(draft.Shard)] ??= new SpanBatch()).Add(draft.ToRouted(ingested));
            }

            return (batches, count);
        }
        finally
        {
            ArrayPool<RoutedSpanDraft>.Shared.Return(drafts);
        }
    }

    /// <summary>Returns one batch per trace shard that the request's spans fall in, in the order first seen.</summary>
    public static List<ShardPart> SplitByShard(ReadOnlyMemory<byte> buffer, ShardRouter router)
    {
        var (drafts, count, ingested) = Read(buffer, router);
        try
        {
            var parts = new List<ShardPart>();
            foreach (var draft in drafts.AsSpan(0, count))
            {
                // A request holds the spans of a few tens of traces: a linear search beats a dictionary here (and a
                // plain loop, unlike a predicate capturing the span, allocates nothing per span).
                var index = -1;
                for (var i = 0; i < parts.Count; i++)
                {
                    if (parts[i].Shard == draft.Shard)
                    {
                        index = i;
                        break;
                    }
                }

                if (index < 0)
                {
                    parts.Add(new ShardPart(draft.Shard, new SpanBatch()));
                    index = parts.Count - 1;
                }

                parts[index].Batch.Add(draft.ToRouted(ingested));
            }

            return parts;
        }
        finally
        {
            ArrayPool<RoutedSpanDraft>.Shared.Return(drafts);
        }
    }

    /// <summary>
    /// Reads a part that another node split off a request for <paramref name="shard"/>: its spans in one batch, or
    /// null when any falls in another shard (the nodes disagree on the shards). The same walk as a split, without
    /// sorting into parts.
    /// </summary>
    public static SpanBatch? ReadShard(ReadOnlyMemory<byte> buffer, ShardRouter router, int shard)
    {
        var (drafts, count, ingested) = Read(buffer, router);
        try
        {
            var spans = drafts.AsSpan(0, count);
            foreach (var draft in spans)
            {
                if (draft.Shard != shard)
                {
                    return null;
                }
            }

            var batch = new SpanBatch(count);
            foreach (var draft in spans)
            {
                batch.Add(draft.ToRouted(ingested));
            }

            return batch;
        }
        finally
        {
            ArrayPool<RoutedSpanDraft>.Shared.Return(drafts);
        }
    }

    // The drafts are the walk's scratch, in a pooled array the caller returns: a growing list of them was most of
    // what a split allocated (about 64 B a span).
    private static (RoutedSpanDraft[] Drafts, int Count, IngestedRequest Request) Read(ReadOnlyMemory<byte> buffer, ShardRouter router)
    {
        var scopes = new List<ScopeRange>();
        var pending = ArrayPool<RoutedSpanDraft>.Shared.Rent(Math.Max(16, buffer.Length / EstimatedSpanBytes));
        var count = 0;
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
                    if (count == pending.Length)
                    {
                        var larger = ArrayPool<RoutedSpanDraft>.Shared.Rent(count * 2);
                        pending.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<RoutedSpanDraft>.Shared.Return(pending);
                        pending = larger;
                    }

                    pending[count++] = new RoutedSpanDraft(traceId, router.ShardOf(traceId), scopeIndex, spanOffset, spanLength);
                }
            }

            resourceIndex++;
        }

        var ingested = new IngestedRequest(buffer, [.. scopes]);
        ingested.AddReferences(count);
        return (pending, count, ingested);
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

    private readonly record struct RoutedSpanDraft(TraceId TraceId, int Shard, int ScopeIndex, int Offset, int Length)
    {
        public RoutedSpan ToRouted(IngestedRequest request) => new(TraceId, Shard, new SpanRef(request, ScopeIndex, Offset, Length));
    }
}
