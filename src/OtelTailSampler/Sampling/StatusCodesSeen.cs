namespace OtelTailSampler.Sampling;

/// <summary>Which span status codes occur in a trace.</summary>
[Flags]
public enum StatusCodesSeen : byte
{
    None = 0,
    Unset = 1,
    Ok = 2,
    Error = 4,
}
