using System.Buffers;

namespace OtelTailSampler.Otlp.Wire;

/// <summary>Writes protobuf tags, varints and length-delimited fields into a buffer writer.</summary>
public static class ProtoWriter
{
    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static void WriteVarint(IBufferWriter<byte> writer, ulong value) => writer.Advance(WriteVarint(writer.GetSpan(10), value));

    /// <summary>Writes a varint at the start of <paramref name="destination"/>; returns its size.</summary>
    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static void WriteTag(IBufferWriter<byte> writer, int fieldNumber, WireType wireType) =>
        WriteVarint(writer, ((ulong)(uint)fieldNumber << 3) | (uint)wireType);

    /// <summary>Writes the tag and length of a length-delimited field whose payload follows.</summary>
    public static void WriteLengthPrefix(IBufferWriter<byte> writer, int fieldNumber, int length)
    {
        WriteTag(writer, fieldNumber, WireType.LengthDelimited);
        WriteVarint(writer, (ulong)length);
    }

    /// <summary>Writes the tag and length of a length-delimited field at the start of <paramref name="destination"/>; returns their size.</summary>
    public static int WriteLengthPrefix(Span<byte> destination, int fieldNumber, int length)
    {
        var size = WriteVarint(destination, ((ulong)(uint)fieldNumber << 3) | (uint)WireType.LengthDelimited);
        return size + WriteVarint(destination[size..], (ulong)length);
    }

    public static void WriteBytesField(IBufferWriter<byte> writer, int fieldNumber, ReadOnlySpan<byte> payload)
    {
        WriteLengthPrefix(writer, fieldNumber, payload.Length);
        writer.Write(payload);
    }

    /// <summary>Size on the wire of a length-delimited field with a payload of <paramref name="length"/> bytes.</summary>
    public static int LengthDelimitedFieldSize(int fieldNumber, int length) =>
        VarintSize((ulong)(uint)fieldNumber << 3) + VarintSize((ulong)length) + length;
}
