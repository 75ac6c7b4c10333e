using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// Writes protobuf into one pooled buffer, nested messages included: a message's length is written where it
/// starts once it ends, moving its content when the length needs more than one byte. No per-message buffers
/// and no size pre-pass, so generating traffic stays cheap beside the node it loads.
/// </summary>
internal sealed class ProtoBuilder : IDisposable
{
    private const int MaxDepth = 16;

    private readonly int _headroom;
    private readonly int[] _open = new int[MaxDepth];
    private byte[] _buffer;
    private int _position;
    private int _depth;

    /// <param name="capacity">Initial buffer size.</param>
    /// <param name="headroom">Bytes left free in front of the message (the gRPC frame header goes there).</param>
    public ProtoBuilder(int capacity = 4096, int headroom = 0)
    {
        _headroom = headroom;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, headroom + 64));
        _position = headroom;
    }

    /// <summary>Bytes written after the headroom.</summary>
    public int Length => _position - _headroom;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(_headroom, Length);

    public void Clear()
    {
        _position = _headroom;
        _depth = 0;
    }

    /// <summary>Hands the buffer (headroom included) to the caller, who returns it to the shared pool; the builder starts a new one.</summary>
    public (byte[] Buffer, int Length) Detach()
    {
        if (_depth != 0)
        {
            throw new InvalidOperationException("A nested message is still open.");
        }

        var result = (_buffer, Length);
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length, 4096));
        _position = _headroom;
        return result;
    }

    public void BeginMessage(int field)
    {
        if (_depth == MaxDepth)
        {
            throw new InvalidOperationException("Messages nest deeper than the builder allows.");
        }

        Tag(field, WireType.LengthDelimited);
        Ensure(1);
        _open[_depth++] = _position;
        _position++;
    }

    public void EndMessage()
    {
        var start = _open[--_depth];
        var length = _position - start - 1;
        var size = ProtoWriter.VarintSize((ulong)length);
        if (size > 1)
        {
            Ensure(size - 1);
            _buffer.AsSpan(start + 1, length).CopyTo(_buffer.AsSpan(start + size));
        }

        WriteVarintAt(start, (ulong)length);
        _position = start + size + length;
    }

    public void Varint(int field, ulong value)
    {
        Tag(field, WireType.Varint);
        RawVarint(value);
    }

    public void Fixed64(int field, ulong value)
    {
        Tag(field, WireType.Fixed64);
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void Fixed32(int field, uint value)
    {
        Tag(field, WireType.Fixed32);
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    public void Double(int field, double value) => Fixed64(field, BitConverter.DoubleToUInt64Bits(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireType.LengthDelimited);
        RawVarint((ulong)value.Length);
        Raw(value);
    }

    public void String(int field, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Tag(field, WireType.LengthDelimited);
        RawVarint((ulong)length);
        Ensure(length);
        _position += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position));
    }

    /// <summary>Writes the bytes of a trace or span ID given as big-endian integers.</summary>
    public void Id(int field, ulong high, ulong low)
    {
        Tag(field, WireType.LengthDelimited);
        RawVarint(16);
        Ensure(16);
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(_position), high);
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(_position + 8), low);
        _position += 16;
    }

    public void Id(int field, ulong spanId)
    {
        Tag(field, WireType.LengthDelimited);
        RawVarint(8);
        Ensure(8);
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(_position), spanId);
        _position += 8;
    }

    /// <summary>Appends bytes that are already encoded fields.</summary>
    public void Raw(ReadOnlySpan<byte> encoded)
    {
        Ensure(encoded.Length);
        encoded.CopyTo(_buffer.AsSpan(_position));
        _position += encoded.Length;
    }

    /// <summary>A KeyValue with a string AnyValue in repeated field <paramref name="field"/>.</summary>
    public void StringAttribute(int field, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        BeginMessage(field);
        Bytes(OtlpWire.KeyValueKey, key);
        BeginMessage(OtlpWire.KeyValueValue);
        Bytes(OtlpWire.AnyValueString, value);
        EndMessage();
        EndMessage();
    }

    /// <summary>A string attribute whose value is <paramref name="prefix"/>, then <paramref name="number"/>, then <paramref name="suffix"/>.</summary>
    public void StringAttribute(int field, ReadOnlySpan<byte> key, ReadOnlySpan<byte> prefix, long number, ReadOnlySpan<byte> suffix)
    {
        BeginMessage(field);
        Bytes(OtlpWire.KeyValueKey, key);
        BeginMessage(OtlpWire.KeyValueValue);
        StringWithNumber(OtlpWire.AnyValueString, prefix, number, suffix);
        EndMessage();
        EndMessage();
    }

    /// <summary>A string field: <paramref name="prefix"/>, the decimal digits of <paramref name="number"/>, <paramref name="suffix"/>.</summary>
    public void StringWithNumber(int field, ReadOnlySpan<byte> prefix, long number, ReadOnlySpan<byte> suffix)
    {
        Span<byte> digits = stackalloc byte[20];
        number.TryFormat(digits, out var count, default, System.Globalization.CultureInfo.InvariantCulture);
        Tag(field, WireType.LengthDelimited);
        RawVarint((ulong)(prefix.Length + count + suffix.Length));
        Raw(prefix);
        Raw(digits[..count]);
        Raw(suffix);
    }

    /// <summary>An 8-byte little-endian value without a tag, as packed repeated fixed64 and double fields hold them.</summary>
    public void RawFixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void IntAttribute(int field, ReadOnlySpan<byte> key, long value)
    {
        BeginMessage(field);
        Bytes(OtlpWire.KeyValueKey, key);
        BeginMessage(OtlpWire.KeyValueValue);
        Varint(OtlpWire.AnyValueInt, (ulong)value);
        EndMessage();
        EndMessage();
    }

    public void DoubleAttribute(int field, ReadOnlySpan<byte> key, double value)
    {
        BeginMessage(field);
        Bytes(OtlpWire.KeyValueKey, key);
        BeginMessage(OtlpWire.KeyValueValue);
        Double(OtlpWire.AnyValueDouble, value);
        EndMessage();
        EndMessage();
    }

    public void BoolAttribute(int field, ReadOnlySpan<byte> key, bool value)
    {
        BeginMessage(field);
        Bytes(OtlpWire.KeyValueKey, key);
        BeginMessage(OtlpWire.KeyValueValue);
        Varint(OtlpWire.AnyValueBool, value ? 1UL : 0UL);
        EndMessage();
        EndMessage();
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Tag(int field, WireType wireType) => RawVarint(((ulong)(uint)field << 3) | (uint)wireType);

    private void RawVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_position++] = (byte)value;
    }

    private void WriteVarintAt(int offset, ulong value)
    {
        while (value >= 0x80)
        {
            _buffer[offset++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[offset] = (byte)value;
    }

    private void Ensure(int bytes)
    {
        if (_buffer.Length - _position >= bytes)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(_buffer.Length * 2L, _position + (long)bytes)));
        _buffer.AsSpan(0, _position).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
