namespace OtelTailSampler.Sampling;

/// <summary>
/// What a trace shard needs of one span, read in the same pass that updates the trace's facts, so the
/// shard never parses a span twice.
/// </summary>
public readonly struct SpanInfo
{
    public SpanInfo(ulong startUnixNano, ulong endUnixNano, bool isRoot, SpanStatusCode statusCode, SpanKind kind, uint flags)
    {
        StartUnixNano = startUnixNano;
        EndUnixNano = endUnixNano;
        IsRoot = isRoot;
        StatusCode = statusCode;
        Kind = kind;
        Flags = flags;
    }

    public ulong StartUnixNano { get; }

    public ulong EndUnixNano { get; }

    /// <summary>The span has no parent: <c>parent_span_id</c> is empty (or all zeros, the W3C invalid ID).</summary>
    public bool IsRoot { get; }

    public SpanStatusCode StatusCode { get; }

    public SpanKind Kind { get; }

    /// <summary><c>Span.flags</c>: W3C trace flags in the low byte (0x01 = sampled), is-remote bits 0x100/0x200.</summary>
    public uint Flags { get; }
}
