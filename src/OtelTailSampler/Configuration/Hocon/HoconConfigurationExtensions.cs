using Microsoft.Extensions.Configuration;

namespace OtelTailSampler.Configuration.Hocon;

/// <summary>Adds HOCON to a configuration builder.</summary>
public static class HoconConfigurationExtensions
{
    /// <summary>Adds the values of a loaded HOCON document.</summary>
    public static IConfigurationBuilder AddHocon(this IConfigurationBuilder builder, HoconDocument document)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HoconConfigurationSource(document));
    }
}
