namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Thrown when HOCON input cannot be read. Carries every problem found rather than only the first, so a
/// user can fix a file in one pass.
/// </summary>
public sealed class HoconException : Exception
{
    public HoconException()
        : this([])
    {
    }

    public HoconException(string message)
        : base(message)
    {
        Errors = [];
    }

    public HoconException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public HoconException(IReadOnlyList<HoconError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>The problems, in the order they were found.</summary>
    public IReadOnlyList<HoconError> Errors { get; }

    private static string Describe(IReadOnlyList<HoconError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count switch
        {
            0 => "The configuration could not be read.",
            1 => errors[0].ToString(),
            _ => $"The configuration has {errors.Count} errors:{Environment.NewLine}"
                + string.Join(Environment.NewLine, errors),
        };
    }
}
