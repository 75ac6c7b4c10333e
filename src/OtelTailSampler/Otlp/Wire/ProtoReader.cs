using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace OtelTailSampler.Otlp.Wire;

/// <summary>
/// A forward-only protobuf wire reader over a span. It allocates nothing: length-delimited fields come back
/// as slices of the input, which is how spans stay as their own bytes from receiver to exporter.
/// Malformed input throws <see cref="ProtoWireException"/>.
/// </summary>
public ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Offset of the next unread byte.</summary>
    public readonly int Position => _position;

    public readonly bool End => _position >= _buffer.Length;

    /// <summary>Reads the next tag; false at the end of the buffer.</summary>
    public bool TryReadTag(out int fieldNumber, out WireType wireType)
    {
        if (_position >= _buffer.Length)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }

        var tag = ReadVarint();
        fieldNumber = (int)(tag >> 3);
        wireType = (WireType)(tag & 7);
        if (fieldNumber <= 0 || tag >> 3 > 0x1FFFFFFF)
        {
            throw new ProtoWireException($"Invalid field number {tag >> 3} at offset {_position}.");
        }

        if ((int)wireType > 5)
        {
            throw new ProtoWireException($"Invalid wire type {(int)wireType} at offset {_position}.");
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _buffer.Length)
            {
                throw new ProtoWireException("Truncated varint.");
            }

            var b = _buffer[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new ProtoWireException("Malformed varint longer than 10 bytes.");
    }

    public uint ReadFixed32()
    {
        if (_buffer.Length - _position < 4)
        {
            throw new ProtoWireException("Truncated fixed32.");
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[_position..]);
        _position += 4;
        return value;
    }

    public ulong ReadFixed64()
    {
        if (_buffer.Length - _position < 8)
        {
            throw new ProtoWireException("Truncated fixed64.");
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer[_position..]);
        _position += 8;
        return value;
    }

    /// <summary>Reads a length-delimited field's payload as a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_buffer.Length - _position))
        {
            throw new ProtoWireException($"Length {length} at offset {_position} runs past the end of the message.");
        }

        var slice = _buffer.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>Like <see cref="ReadLengthDelimited"/>, returning the payload's offset and length instead.</summary>
    public (int Offset, int Length) ReadLengthDelimitedRange()
    {
        var length = ReadVarint();
        if (length > (ulong)(_buffer.Length - _position))
        {
            throw new ProtoWireException($"Length {length} at offset {_position} runs past the end of the message.");
        }

        var offset = _position;
        _position += (int)length;
        return (offset, (int)length);
    }

    /// <summary>Skips the value of a field whose tag was just read.</summary>
    public void SkipField(int fieldNumber, WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                ReadFixed64();
                break;
            case WireType.Fixed32:
                ReadFixed32();
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimitedRange();
                break;
            case WireType.StartGroup:
                SkipGroup(fieldNumber);
                break;
            default:
                throw new ProtoWireException($"Unexpected end-group tag for field {fieldNumber} at offset {_position}.");
        }
    }

    private void SkipGroup(int groupField)
    {
        while (TryReadTag(out var field, out var type))
        {
            if (type == WireType.EndGroup)
            {
                if (field != groupField)
                {
                    throw new ProtoWireException($"Mismatched end-group tag {field} for group {groupField}.");
                }

                return;
            }

            SkipField(field, type);
        }

        throw new ProtoWireException($"Group {groupField} is not closed.");
    }
}
