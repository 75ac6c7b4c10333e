using System.Collections;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace OtelTailSampler.Otlp.Json;

/// <summary>
/// Writes a message as OTLP JSON by walking its descriptor: lowerCamelCase keys, hex ids, enums as integers,
/// 64-bit integers as decimal strings, and fields at their default value left out as proto3 JSON does.
/// </summary>
internal static class OtlpJsonWriter
{
    public static void WriteMessage(Utf8JsonWriter writer, IMessage message)
    {
        var layout = MessageLayout.For(message.Descriptor);
        if (layout.IsWellKnownType)
        {
            // Re-read so the output stays compact: Google's formatter puts spaces inside an Any.
            using var document = JsonDocument.Parse(WellKnownTypesJson.Format(message));
            document.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        foreach (var field in layout.Fields)
        {
            var descriptor = field.Descriptor;
            if (descriptor.IsRepeated)
            {
                var list = (IList)descriptor.Accessor.GetValue(message);
                if (list.Count == 0)
                {
                    continue;
                }

                writer.WritePropertyName(field.JsonName);
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, field, item);
                }

                writer.WriteEndArray();
                continue;
            }

            // Oneof members, messages and proto3 optionals track presence: a set AnyValue.intValue of 0 must be
            // written. Other scalars are left out at their default, as the binary encoding does.
            object value;
            if (descriptor.HasPresence)
            {
                if (!descriptor.Accessor.HasValue(message))
                {
                    continue;
                }

                value = descriptor.Accessor.GetValue(message);
            }
            else
            {
                value = descriptor.Accessor.GetValue(message);
                if (IsDefault(value))
                {
                    continue;
                }
            }

            writer.WritePropertyName(field.JsonName);
            WriteValue(writer, field, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, FieldLayout field, object value)
    {
        switch (field.Descriptor.FieldType)
        {
            case FieldType.Double:
                WriteDouble(writer, (double)value);
                break;
            case FieldType.Float:
                WriteDouble(writer, (float)value);
                break;
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                writer.WriteNumberValue((int)value);
                break;
            case FieldType.UInt32 or FieldType.Fixed32:
                writer.WriteNumberValue((uint)value);
                break;
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                WriteAsString(writer, (long)value);
                break;
            case FieldType.UInt64 or FieldType.Fixed64:
                WriteAsString(writer, (ulong)value);
                break;
            case FieldType.Bool:
                writer.WriteBooleanValue((bool)value);
                break;
            case FieldType.String:
                writer.WriteStringValue((string)value);
                break;
            case FieldType.Bytes when field.IsHexId:
                HexId.Write(writer, ((ByteString)value).Span);
                break;
            case FieldType.Bytes:
                writer.WriteBase64StringValue(((ByteString)value).Span);
                break;
            case FieldType.Enum:
                writer.WriteNumberValue(Convert.ToInt32(value, CultureInfo.InvariantCulture));
                break;
            case FieldType.Message:
                WriteMessage(writer, (IMessage)value);
                break;
            default:
                throw new NotSupportedException($"{field} has type {field.Descriptor.FieldType}, which OTLP JSON does not use.");
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        // JSON has no literal for these; proto3 JSON spells them as strings.
        if (double.IsNaN(value))
        {
            writer.WriteStringValue("NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            writer.WriteStringValue("Infinity");
        }
        else if (double.IsNegativeInfinity(value))
        {
            writer.WriteStringValue("-Infinity");
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }

    private static void WriteAsString<T>(Utf8JsonWriter writer, T value)
        where T : IUtf8SpanFormattable
    {
        // 64-bit integers are strings so that JavaScript readers do not round them (proto3 JSON, OTLP examples).
        Span<byte> digits = stackalloc byte[24];
        value.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        writer.WriteStringValue(digits[..length]);
    }

    private static bool IsDefault(object value) => value switch
    {
        string s => s.Length == 0,
        ByteString b => b.IsEmpty,
        bool b => !b,
        int i => i == 0,
        uint u => u == 0,
        long l => l == 0,
        ulong u => u == 0,

        // Bitwise, as the binary encoder compares: -0.0 is not the default and is written.
        double d => BitConverter.DoubleToInt64Bits(d) == 0,
        float f => BitConverter.SingleToInt32Bits(f) == 0,
        Enum e => Convert.ToInt32(e, CultureInfo.InvariantCulture) == 0,
        _ => false,
    };
}
