using Microsoft.Extensions.Configuration;

namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Feeds an already loaded <see cref="HoconDocument"/> to Microsoft.Extensions.Configuration. The document
/// is loaded beforehand so that its errors surface, with positions, before the host is built.
/// </summary>
public sealed class HoconConfigurationSource(HoconDocument document) : IConfigurationSource
{
    public HoconDocument Document { get; } = document ?? throw new ArgumentNullException(nameof(document));

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new HoconConfigurationProvider(Document);
}
