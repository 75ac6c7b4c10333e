using System.Buffers;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.Sharding;

/// <summary>
/// Writes buffered spans out as an ExportTraceServiceRequest, each with the given attributes appended.
/// Consecutive spans from the same request share one ResourceSpans and ScopeSpans, copied from the client's
/// bytes (every field but the children, unknown fields included); a repeated resource is legal OTLP.
/// </summary>
internal static class KeptTraceWriter
{
    private const int RequestResources = 1;
    private const int Children = 2;

    public static void Write(ReadOnlySpan<SpanRef> spans, ReadOnlySpan<byte> appended, PooledBufferWriter output)
    {
        var start = 0;
        while (start < spans.Length)
        {
            var end = start + 1;
            while (end < spans.Length && SameResource(spans[start], spans[end]))
            {
                end++;
            }

            WriteResource(spans[start..end], appended, output);
            start = end;
        }
    }

    private static bool SameResource(in SpanRef a, in SpanRef b) =>
        ReferenceEquals(a.Request, b.Request) && a.Request.Scopes[a.ScopeIndex].ResourceIndex == b.Request.Scopes[b.ScopeIndex].ResourceIndex;

    private static void WriteResource(ReadOnlySpan<SpanRef> spans, ReadOnlySpan<byte> appended, PooledBufferWriter output)
    {
        var request = spans[0].Request;
        var range = request.Scopes[spans[0].ScopeIndex];
        var resource = request.Buffer.Span.Slice(range.ResourceOffset, range.ResourceLength);
        var contentLength = SizeExcept(resource, Children);
        for (var start = 0; start < spans.Length;)
        {
            var end = ScopeRunEnd(spans, start);
            contentLength += ProtoWriter.LengthDelimitedFieldSize(Children, ScopeContentLength(spans[start..end], appended));
            start = end;
        }

        ProtoWriter.WriteLengthPrefix(output, RequestResources, contentLength);
        CopyExcept(resource, Children, output);
        for (var start = 0; start < spans.Length;)
        {
            var end = ScopeRunEnd(spans, start);
            var scopeSpans = spans[start..end];
            var scopeRange = request.Scopes[scopeSpans[0].ScopeIndex];
            ProtoWriter.WriteLengthPrefix(output, Children, ScopeContentLength(scopeSpans, appended));
            CopyExcept(request.Buffer.Span.Slice(scopeRange.ScopeOffset, scopeRange.ScopeLength), Children, output);
            foreach (var span in scopeSpans)
            {
                ProtoWriter.WriteLengthPrefix(output, Children, span.Length + appended.Length);
                output.Write(span.Bytes);
                output.Write(appended);
            }

            start = end;
        }
    }

    // Spans of one scope that arrived together stay together; the run ends where the scope changes.
    private static int ScopeRunEnd(ReadOnlySpan<SpanRef> spans, int start)
    {
        var end = start + 1;
        while (end < spans.Length && spans[end].ScopeIndex == spans[start].ScopeIndex)
        {
            end++;
        }

        return end;
    }

    private static int ScopeContentLength(ReadOnlySpan<SpanRef> scopeSpans, ReadOnlySpan<byte> appended)
    {
        var range = scopeSpans[0].Request.Scopes[scopeSpans[0].ScopeIndex];
        var length = SizeExcept(scopeSpans[0].Request.Buffer.Span.Slice(range.ScopeOffset, range.ScopeLength), Children);
        foreach (var span in scopeSpans)
        {
            length += ProtoWriter.LengthDelimitedFieldSize(Children, span.Length + appended.Length);
        }

        return length;
    }

    private static int SizeExcept(ReadOnlySpan<byte> message, int skippedField)
    {
        var size = 0;
        var reader = new ProtoReader(message);
        while (true)
        {
            var start = reader.Position;
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return size;
            }

            reader.SkipField(field, wireType);
            if (field != skippedField)
            {
                size += reader.Position - start;
            }
        }
    }

    private static void CopyExcept(ReadOnlySpan<byte> message, int skippedField, PooledBufferWriter output)
    {
        var reader = new ProtoReader(message);
        while (true)
        {
            var start = reader.Position;
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return;
            }

            reader.SkipField(field, wireType);
            if (field != skippedField)
            {
                output.Write(message[start..reader.Position]);
            }
        }
    }
}
