namespace OtelTailSampler.Tests.Configuration;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = Directory.CreateTempSubdirectory("otel-sampler-tests-").FullName;
    }

    public string Path { get; }

    /// <summary>Writes a file at a path relative to the directory, creating folders on the way.</summary>
    public string Write(string relativePath, string text)
    {
        var fullPath = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        File.WriteAllText(fullPath, text);
        return fullPath;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
