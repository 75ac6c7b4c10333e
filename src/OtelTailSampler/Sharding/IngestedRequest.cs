namespace OtelTailSampler.Sharding;

/// <summary>
/// One accepted trace request, kept as the client's bytes while any of its spans is buffered. Spans point
/// into it; resources and scopes are not copied per span but written once per export group from here.
/// The last span to be released lets the buffer go.
/// </summary>
internal sealed class IngestedRequest
{
    private int _references;

    public IngestedRequest(ReadOnlyMemory<byte> buffer, ScopeRange[] scopes)
    {
        Buffer = buffer;
        Scopes = scopes;
    }

    public ReadOnlyMemory<byte> Buffer { get; }

    /// <summary>Where each ScopeSpans and its enclosing ResourceSpans lie in <see cref="Buffer"/>.</summary>
    public ScopeRange[] Scopes { get; }

    /// <summary>Set before the spans are handed to their trace shards.</summary>
    public void AddReferences(int count) => Interlocked.Add(ref _references, count);

    /// <summary>Returns true when this was the last buffered span of the request.</summary>
    public bool Release() => Interlocked.Decrement(ref _references) == 0;
}
