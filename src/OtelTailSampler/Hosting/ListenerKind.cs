namespace OtelTailSampler.Hosting;

/// <summary>The node's listeners; each Kestrel connection is tagged with the one it arrived on.</summary>
internal enum ListenerKind
{
    OtlpGrpc,
    OtlpHttp,
    Admin,
}
