namespace OtelTailSampler.LoadGen;

/// <summary>A span of the trace being generated, before it is encoded (errors are marked after the tree is built).</summary>
internal struct SpanDraft
{
    public int Service;
    public int Parent;
    public int Depth;
    public SpanRole Role;
    public int Route;
    public int Target;
    public int Operation;
    public int Collection;
    public ulong SpanId;
    public long Start;
    public long End;
    public bool Post;
    public bool Error;
    public bool ErrorOrigin;
}
