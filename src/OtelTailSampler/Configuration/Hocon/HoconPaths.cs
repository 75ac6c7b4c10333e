namespace OtelTailSampler.Configuration.Hocon;

/// <summary>Helpers for paths held as lists of keys.</summary>
internal static class HoconPaths
{
    public static bool AreEqual(IReadOnlyList<string> left, IReadOnlyList<string> right) =>
        left.Count == right.Count && left.SequenceEqual(right, StringComparer.Ordinal);

    public static IReadOnlyList<string> Append(IReadOnlyList<string> path, IReadOnlyList<string> more) =>
        path.Count == 0 ? more : [.. path, .. more];

    public static IReadOnlyList<string> Append(IReadOnlyList<string> path, string key) => [.. path, key];

    /// <summary>The path as it would be written in HOCON, quoting keys that need it.</summary>
    public static string Render(IReadOnlyList<string> path) => string.Join('.', path.Select(RenderKey));

    private static string RenderKey(string key) =>
        key.Length > 0 && !key.Any(c => c == '.' || HoconTokenizer.IsWhitespace(c) || HoconTokenizer.IsForbiddenInUnquotedText(c))
            ? key
            : "\"" + key.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
