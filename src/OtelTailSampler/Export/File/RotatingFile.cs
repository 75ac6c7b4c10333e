using System.Globalization;
using IOFile = System.IO.File;
using IOPath = System.IO.Path;

namespace OtelTailSampler.Export.File;

/// <summary>
/// One signal's output: <c>{name}.jsonl</c> is appended to and, before a line would take it past the size
/// limit, renamed to <c>{name}-{yyyyMMddTHHmmssZ}-{sequence}.jsonl</c>; the oldest renamed files are deleted so
/// that at most the file limit remains, the active file included. Not thread-safe: one writer loop owns it.
/// </summary>
internal sealed class RotatingFile : IDisposable
{
    private const string Extension = ".jsonl";
    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";

    private readonly string _directory;
    private readonly string _name;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private readonly TimeProvider _timeProvider;
    private FileStream? _stream;
    private long _length;
    private int _sequence;

    public RotatingFile(string directory, string name, long maxBytes, int maxFiles, TimeProvider timeProvider)
    {
        _directory = directory;
        _name = name;
        _maxBytes = maxBytes;
        _maxFiles = maxFiles;
        _timeProvider = timeProvider;
        ActivePath = IOPath.Combine(directory, name + Extension);
    }

    public string ActivePath { get; }

    /// <summary>Appends one line (newline included), rotating first if it would not fit.</summary>
    public void Write(ReadOnlySpan<byte> line)
    {
        var stream = _stream ?? Open();
        if (_length > 0 && _length + line.Length > _maxBytes)
        {
            Rotate();
            stream = Open();
        }

        stream.Write(line);
        _length += line.Length;
    }

    /// <summary>Hands buffered lines to the OS, and with <paramref name="toDisk"/> waits until they are on disk.</summary>
    public void Flush(bool toDisk) => _stream?.Flush(toDisk);

    /// <summary>Drops the open stream after a failure, so that the next write starts from a fresh open.</summary>
    public void Abandon()
    {
        var stream = _stream;
        _stream = null;
        try
        {
            stream?.Dispose();
        }
        catch (IOException)
        {
            // Whatever was buffered is lost with the failure that got us here; the caller has logged that.
        }
    }

    public void Dispose()
    {
        var stream = _stream;
        _stream = null;
        stream?.Dispose();
    }

    private FileStream Open()
    {
        Directory.CreateDirectory(_directory);

        // Readers may tail the file while it is written.
        var stream = new FileStream(ActivePath, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
        _length = stream.Length;

        // A process killed mid-write leaves a torn last line; the next line must start on a line of its own, or
        // a reader loses it too (what the torn line held is journaled and written again).
        if (_length > 0 && !EndsWithNewline(ActivePath))
        {
            stream.WriteByte((byte)'\n');
            _length++;
        }

        _stream = stream;
        return stream;
    }

    private static bool EndsWithNewline(string path)
    {
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        reader.Seek(-1, SeekOrigin.End);
        return reader.ReadByte() == '\n';
    }

    private void Rotate()
    {
        var stream = _stream;
        _stream = null;
        stream?.Dispose();
        IOFile.Move(ActivePath, NextRotatedPath());
        DeleteOldest();
    }

    private string NextRotatedPath()
    {
        var stamp = _timeProvider.GetUtcNow().UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture);
        while (true)
        {
            // The sequence orders rotations within one second; an existing name is left alone (an earlier run).
            var path = IOPath.Combine(_directory, $"{_name}-{stamp}-{++_sequence:D4}{Extension}");
            if (!IOFile.Exists(path))
            {
                return path;
            }
        }
    }

    private void DeleteOldest()
    {
        var rotated = new List<(string Stamp, long Sequence, string Path)>();
        foreach (var path in Directory.EnumerateFiles(_directory, $"{_name}-*{Extension}"))
        {
            // Only names this class writes count: a file that merely looks similar is never deleted.
            if (TryParseRotatedName(IOPath.GetFileName(path), out var stamp, out var sequence))
            {
                rotated.Add((stamp, sequence, path));
            }
        }

        var excess = rotated.Count - (_maxFiles - 1);
        if (excess <= 0)
        {
            return;
        }

        rotated.Sort((a, b) =>
        {
            var byStamp = string.CompareOrdinal(a.Stamp, b.Stamp);
            return byStamp != 0 ? byStamp : a.Sequence.CompareTo(b.Sequence);
        });
        foreach (var (_, _, path) in rotated.Take(excess))
        {
            IOFile.Delete(path);
        }
    }

    private bool TryParseRotatedName(string fileName, out string stamp, out long sequence)
    {
        stamp = string.Empty;
        sequence = 0;

        // {name}-{stamp}-{sequence}.jsonl, with a stamp of fixed width.
        var rest = fileName.AsSpan()[(_name.Length + 1)..^Extension.Length];
        const int StampLength = 16;
        if (rest.Length < StampLength + 2 || rest[StampLength] != '-'
            || !DateTime.TryParseExact(rest[..StampLength], StampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            || !long.TryParse(rest[(StampLength + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out sequence))
        {
            return false;
        }

        stamp = rest[..StampLength].ToString();
        return true;
    }
}
