namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// One layer of HOCON text. <paramref name="FileName"/> names the layer in error messages, and its directory
/// is where relative includes are looked up.
/// </summary>
public sealed record HoconSource(string Text, string FileName)
{
    /// <summary>Reads a file as a layer, named by the path given.</summary>
    public static HoconSource FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new HoconSource(File.ReadAllText(path), path);
    }
}
