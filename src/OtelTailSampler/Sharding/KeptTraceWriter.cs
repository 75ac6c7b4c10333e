using System.Diagnostics;
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

    /// <summary>The size of what <see cref="Write(ReadOnlySpan{SpanRef}, ReadOnlySpan{byte}, Span{byte})"/> writes for these spans.</summary>
    public static int Size(ReadOnlySpan<SpanRef> spans, ReadOnlySpan<byte> appended)
    {
        var size = 0;
        for (var start = 0; start < spans.Length;)
        {
            var end = ResourceRunEnd(spans, start);
            size += ProtoWriter.LengthDelimitedFieldSize(RequestResources, ResourceContentLength(spans[start..end], appended));
            start = end;
        }

        return size;
    }

    public static void Write(ReadOnlySpan<SpanRef> spans, ReadOnlySpan<byte> appended, PooledBufferWriter output)
    {
        var size = Size(spans, appended);
        var written = Write(spans, appended, output.GetSpan(size));
        Debug.Assert(written == size, "Size and Write disagree on the request's layout.");
        output.Advance(written);
    }

    /// <summary>
    /// Writes the request at the start of <paramref name="destination"/>, which must hold <see cref="Size"/> bytes;
    /// returns the bytes written. Lets a caller that needs an array of the exact size write once, straight into it.
    /// </summary>
    public static int Write(ReadOnlySpan<SpanRef> spans, ReadOnlySpan<byte> appended, Span<byte> destination)
    {
        var position = 0;
        for (var start = 0; start < spans.Length;)
        {
            var end = ResourceRunEnd(spans, start);
            position += WriteResource(spans[start..end], appended, destination[position..]);
            start = end;
        }

        return position;
    }

    private static int ResourceRunEnd(ReadOnlySpan<SpanRef> spans, int start)
    {
        var end = start + 1;
        while (end < spans.Length && SameResource(spans[start], spans[end]))
        {
            end++;
        }

        return end;
    }

    private static bool SameResource(in SpanRef a, in SpanRef b) =>
        ReferenceEquals(a.Request, b.Request) && a.Request.Scopes[a.ScopeIndex].ResourceIndex == b.Request.Scopes[b.ScopeIndex].ResourceIndex;

    private static int ResourceContentLength(ReadOnlySpan<SpanRef> spans, ReadOnlySpan<byte> appended)
    {
        var range = spans[0].Request.Scopes[spans[0].ScopeIndex];
        var contentLength = SizeExcept(spans[0].Request.Buffer.Span.Slice(range.ResourceOffset, range.ResourceLength), Children);
        for (var start = 0; start < spans.Length;)
        {
            var end = ScopeRunEnd(spans, start);
            contentLength += ProtoWriter.LengthDelimitedFieldSize(Children, ScopeContentLength(spans[start..end], appended));
            start = end;
        }

        return contentLength;
    }

    private static int WriteResource(ReadOnlySpan<SpanRef> spans, ReadOnlySpan<byte> appended, Span<byte> destination)
    {
        var request = spans[0].Request;
        var range = request.Scopes[spans[0].ScopeIndex];
        var position = ProtoWriter.WriteLengthPrefix(destination, RequestResources, ResourceContentLength(spans, appended));
        position += CopyExcept(request.Buffer.Span.Slice(range.ResourceOffset, range.ResourceLength), Children, destination[position..]);
        for (var start = 0; start < spans.Length;)
        {
            var end = ScopeRunEnd(spans, start);
            var scopeSpans = spans[start..end];
            var scopeRange = request.Scopes[scopeSpans[0].ScopeIndex];
            position += ProtoWriter.WriteLengthPrefix(destination[position..], Children, ScopeContentLength(scopeSpans, appended));
            position += CopyExcept(request.Buffer.Span.Slice(scopeRange.ScopeOffset, scopeRange.ScopeLength), Children, destination[position..]);
            foreach (var span in scopeSpans)
            {
                position += ProtoWriter.WriteLengthPrefix(destination[position..], Children, span.Length + appended.Length);
                span.Bytes.CopyTo(destination[position..]);
                position += span.Length;
                appended.CopyTo(destination[position..]);
                position += appended.Length;
            }

            start = end;
        }

        return position;
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

    private static int CopyExcept(ReadOnlySpan<byte> message, int skippedField, Span<byte> destination)
    {
        var position = 0;
        var reader = new ProtoReader(message);
        while (true)
        {
            var start = reader.Position;
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return position;
            }

            reader.SkipField(field, wireType);
            if (field != skippedField)
            {
                message[start..reader.Position].CopyTo(destination[position..]);
                position += reader.Position - start;
            }
        }
    }
}
