using System.Buffers.Binary;

namespace OtelTailSampler.Sharding;

/// <summary>A 16-byte trace ID as a value: the key of trace entities and decisions, with no allocation.</summary>
public readonly struct TraceId : IEquatable<TraceId>
{
    public const int Length = 16;

    public TraceId(ulong high, ulong low)
    {
        High = high;
        Low = low;
    }

    public ulong High { get; }

    public ulong Low { get; }

    public static TraceId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A trace ID is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        return new TraceId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    public static TraceId Parse(string hex) => FromBytes(Convert.FromHexString(hex));

    /// <summary>
    /// Reads a trace ID as users copy it from a backend (W3C trace context, OTLP/JSON): 32 hex digits, not all zero.
    /// Otherwise false, with <paramref name="problem"/> saying why.
    /// </summary>
    public static bool TryParse(string text, out TraceId traceId, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        traceId = default;
        if (text.Length != 2 * Length || !text.All(char.IsAsciiHexDigit))
        {
            problem = $"'{text}' is not a trace ID: 32 hexadecimal characters, such as 4bf92f3577b34da6a3ce929d0e0e4736";
            return false;
        }

        traceId = Parse(text);
        problem = traceId == default ? "an all-zero trace ID is invalid in OpenTelemetry; no span carries it" : "";
        return traceId != default;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    /// <summary>
    /// A well-mixed 64-bit hash. W3C trace IDs are random only in part (the right-most 7 bytes are the
    /// guaranteed part), so both halves go through a full avalanche before they pick a shard.
    /// </summary>
    public ulong Hash64() => Mix(High ^ Mix(Low));

    public bool Equals(TraceId other) => High == other.High && Low == other.Low;

    public override bool Equals(object? obj) => obj is TraceId other && Equals(other);

    public override int GetHashCode() => (int)Hash64();

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public static bool operator ==(TraceId left, TraceId right) => left.Equals(right);

    public static bool operator !=(TraceId left, TraceId right) => !left.Equals(right);

    // The 64-bit finalizer of MurmurHash3.
    private static ulong Mix(ulong value)
    {
        value ^= value >> 33;
        value *= 0xff51afd7ed558ccdUL;
        value ^= value >> 33;
        value *= 0xc4ceb9fe1a85ec53UL;
        value ^= value >> 33;
        return value;
    }
}
