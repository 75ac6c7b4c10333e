namespace OtelTailSampler.Configuration;

/// <summary>Where something was written in a configuration file; line and column are 1-based.</summary>
public sealed record SourcePosition(string File, int Line, int Column)
{
    /// <summary>The conventional <c>file:line:column</c> form that editors and terminals turn into links.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}";
}
