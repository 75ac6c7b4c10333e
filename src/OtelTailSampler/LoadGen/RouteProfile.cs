namespace OtelTailSampler.LoadGen;

/// <summary>
/// One HTTP route a service serves, pre-encoded: its template (http.route), span names, and the pieces around
/// the ID that make url.path and url.full high-cardinality.
/// </summary>
internal sealed class RouteProfile
{
    public RouteProfile(string service, string template, bool isHealthCheck)
    {
        var id = template.IndexOf("{id}", StringComparison.Ordinal);
        Template = Utf8(template);
        GetName = Utf8("GET " + template);
        PostName = Utf8("POST " + template);
        HasId = id >= 0;
        PathPrefix = Utf8(HasId ? template[..id] : template);
        PathSuffix = Utf8(HasId ? template[(id + 4)..] : "");
        UrlPrefix = Utf8($"http://{service}:8080" + (HasId ? template[..id] : template));
        IsHealthCheck = isHealthCheck;
    }

    public byte[] Template { get; }

    public byte[] GetName { get; }

    public byte[] PostName { get; }

    public bool HasId { get; }

    public byte[] PathPrefix { get; }

    public byte[] PathSuffix { get; }

    /// <summary>url.full up to the ID (or whole, without one), as a client calling the service writes it.</summary>
    public byte[] UrlPrefix { get; }

    public bool IsHealthCheck { get; }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
