using OtelTailSampler.Configuration.Hocon;

namespace OtelTailSampler.Tests.Configuration.Hocon;

/// <summary>Shorthands for loading HOCON in tests, with an environment given as a dictionary.</summary>
internal static class TestHocon
{
    public const string File = "test.conf";

    public static IReadOnlyDictionary<string, string?> Values(string text, IReadOnlyDictionary<string, string>? environment = null) =>
        Load(text, environment).Values;

    public static HoconDocument Load(string text, IReadOnlyDictionary<string, string>? environment = null) =>
        HoconDocument.Load([new HoconSource(text, File)], Environment(environment));

    public static Func<string, string?> Environment(IReadOnlyDictionary<string, string>? variables) =>
        name => variables is not null && variables.TryGetValue(name, out var value) ? value : null;

    /// <summary>The errors of input that must fail to load, formatted as file:line:column: message.</summary>
    public static IReadOnlyList<HoconError> Errors(string text, IReadOnlyDictionary<string, string>? environment = null) =>
        Assert.Throws<HoconException>(() => Load(text, environment)).Errors;
}
