namespace OtelTailSampler.Otlp;

/// <summary>How reading or inflating a request body went.</summary>
public enum BodyReadResult
{
    Ok,

    /// <summary>The body, or what it inflates to, is larger than the limit.</summary>
    TooLarge,

    /// <summary>The compressed data is corrupt.</summary>
    Corrupt,
}
