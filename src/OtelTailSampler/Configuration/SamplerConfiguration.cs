using System.Reflection;
using Microsoft.Extensions.Configuration;
using OtelTailSampler.Configuration.Hocon;
using OtelTailSampler.Hosting;

namespace OtelTailSampler.Configuration;

/// <summary>
/// Loads the node's configuration: the embedded hocon/sampler.conf, a user's file layered over it, the
/// environment through ${?VAR}, then every setting bound and checked. All errors come back at once.
/// </summary>
public static class SamplerConfiguration
{
    /// <summary>The file name the embedded defaults report in errors.</summary>
    public const string DefaultsFileName = "hocon/sampler.conf (embedded)";

    private const string ResourceName = "OtelTailSampler.sampler.conf";

    /// <summary>The text of the embedded defaults.</summary>
    public static string DefaultsText()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Loads the defaults, then <paramref name="userFile"/> (when given) over them.</summary>
    public static SamplerConfigurationResult Load(string? userFile, Func<string, string?> environment)
    {
        var layers = new List<HoconSource> { new(DefaultsText(), DefaultsFileName) };
        if (userFile is not null)
        {
            if (!System.IO.File.Exists(userFile))
            {
                return Failed(new ConfigurationError("", $"configuration file '{userFile}' does not exist", null));
            }

            layers.Add(HoconSource.FromFile(userFile));
        }

        return Load(layers, environment);
    }

    /// <summary>Loads the defaults with extra layers of HOCON text over them.</summary>
    public static SamplerConfigurationResult Load(IReadOnlyList<HoconSource> layers, Func<string, string?> environment)
    {
        HoconDocument document;
        try
        {
            document = HoconDocument.Load(layers, environment);
        }
        catch (HoconException e)
        {
            return Failed([.. e.Errors.Select(error => new ConfigurationError("", error.Message, error.Position))]);
        }

        var configuration = new ConfigurationBuilder().AddHocon(document).Build();
        var reader = new SettingsReader(configuration, document.PositionOf);
        var options = SamplerOptionsBinder.Bind(reader.Section("sampler"));

        // `akka { }` is Akka.NET's own configuration, handed to the actor system as written.
        options = options with { Cluster = options.Cluster with { AkkaHocon = Cluster.AkkaHoconText.Render(configuration.GetSection("akka")) } };
        reader.ReportUnknownKeys("sampler", "akka");
        return new SamplerConfigurationResult(reader.Errors.Count == 0 ? options : null, reader.Errors, configuration);
    }

    private static SamplerConfigurationResult Failed(params IReadOnlyList<ConfigurationError> errors) => new(null, errors, null);
}
