using Microsoft.Extensions.Configuration;

namespace OtelTailSampler.Configuration.Hocon;

/// <summary>Serves the flattened values of a <see cref="HoconDocument"/>.</summary>
public sealed class HoconConfigurationProvider : ConfigurationProvider
{
    private readonly HoconDocument _document;

    public HoconConfigurationProvider(HoconDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        _document = document;
    }

    public override void Load() =>
        Data = new Dictionary<string, string?>(_document.Values, StringComparer.OrdinalIgnoreCase);
}
