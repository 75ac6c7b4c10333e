namespace OtelTailSampler.Sharding;

/// <summary>
/// A buffered span: where its bytes are and which scope they came with. This is all a trace shard keeps per span
/// beyond the bytes themselves (24 bytes on 64-bit).
/// </summary>
internal readonly record struct SpanRef(IngestedRequest Request, int ScopeIndex, int Offset, int Length)
{
    public ReadOnlySpan<byte> Bytes => Request.Buffer.Span.Slice(Offset, Length);
}
