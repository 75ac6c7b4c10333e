namespace OtelTailSampler.Admin;

/// <summary>
/// What /readyz reports. Each component that must be in place before the node takes traffic registers a
/// check; the node is ready when every check passes.
/// </summary>
public sealed class NodeReadiness
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Func<string?>> _checks = new(StringComparer.Ordinal);

    /// <summary>Adds a named check; it returns null when fine, or why the node is not ready.</summary>
    public void Register(string name, Func<string?> check)
    {
        lock (_gate)
        {
            _checks[name] = check;
        }
    }

    /// <summary>Every check's result, by name: null for passing, otherwise the reason.</summary>
    public IReadOnlyDictionary<string, string?> Evaluate()
    {
        lock (_gate)
        {
            return _checks.ToDictionary(c => c.Key, c => c.Value(), StringComparer.Ordinal);
        }
    }
}
