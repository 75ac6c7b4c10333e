using System.Buffers.Text;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace OtelTailSampler.Otlp.Json;

/// <summary>
/// Reads OTLP JSON into a message by walking its descriptor alongside the JSON tokens: one pass over the
/// payload, no intermediate document, and every error names the field it is about.
/// </summary>
internal static class OtlpJsonReader
{
    // Keys up to this many characters are decoded on the stack; OTLP's longest is well under it.
    private const int StackKeyChars = 64;

    private const NumberStyles IntegerStyles =
        NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>Reads the object the reader is on into <paramref name="message"/>, leaving it on the EndObject.</summary>
    public static void ReadMessage(ref Utf8JsonReader reader, IMessage message)
    {
        var layout = MessageLayout.For(message.Descriptor);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Error(reader.TokenStartIndex, $"expected an object for {layout.Descriptor.FullName}, found {Describe(reader.TokenType)}");
        }

        // The reader enforces JSON grammar, so inside an object only property names and the EndObject come here.
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var field = FindField(ref reader, layout);
            Next(ref reader);
            if (field is null || reader.TokenType == JsonTokenType.Null)
            {
                // The OTLP spec says unknown keys are ignored; in proto3 JSON null means the default value.
                reader.Skip();
                continue;
            }

            ReadField(ref reader, message, field);
        }
    }

    /// <summary>A well-known type (Any, Duration, ...) goes through Google.Protobuf's JSON mapping.</summary>
    public static IMessage ReadWellKnown(ref Utf8JsonReader reader, MessageDescriptor type)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return WellKnownTypesJson.Parse(document.RootElement.GetRawText(), type);
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // With the whole payload in hand the reader throws on truncation; this only guards the contract.
        if (!reader.Read())
        {
            throw Error(reader.BytesConsumed, "unexpected end of the payload");
        }

        return reader.TokenType;
    }

    private static FieldLayout? FindField(ref Utf8JsonReader reader, MessageLayout layout)
    {
        // A UTF-8 key never has more characters than bytes, so this bound is safe for CopyString.
        if (reader.ValueSpan.Length <= StackKeyChars)
        {
            Span<char> key = stackalloc char[StackKeyChars];
            var length = reader.CopyString(key);
            return layout.TryFindField(key[..length], out var field) ? field : null;
        }

        return layout.TryFindField(reader.GetString(), out var longField) ? longField : null;
    }

    private static void ReadField(ref Utf8JsonReader reader, IMessage message, FieldLayout field)
    {
        var descriptor = field.Descriptor;
        if (descriptor.IsMap)
        {
            // OTLP has no map fields; reading one as a list would silently produce garbage.
            throw Error(reader.TokenStartIndex, field, "is a map, which OTLP JSON does not use");
        }

        if (descriptor.IsRepeated)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Error(reader.TokenStartIndex, field, $"expected an array, found {Describe(reader.TokenType)}");
            }

            var list = (IList)descriptor.Accessor.GetValue(message);
            while (Next(ref reader) != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    throw Error(reader.TokenStartIndex, field, "has a null element");
                }

                if (ReadValue(ref reader, field) is { } item)
                {
                    list.Add(item);
                }
            }

            return;
        }

        if (descriptor.RealContainingOneof is { } oneof
            && oneof.Accessor.GetCaseFieldDescriptor(message) is { } alreadySet
            && alreadySet != descriptor)
        {
            throw Error(reader.TokenStartIndex, field, $"is given together with \"{alreadySet.JsonName}\", but only one of oneof {oneof.Name} may be set");
        }

        if (ReadValue(ref reader, field) is { } value)
        {
            descriptor.Accessor.SetValue(message, value);
        }
    }

    /// <summary>The field's value as the boxed CLR type its accessor expects; null to leave the field unset.</summary>
    private static object? ReadValue(ref Utf8JsonReader reader, FieldLayout field) => field.Descriptor.FieldType switch
    {
        FieldType.Double => ReadDouble(ref reader, field),
        FieldType.Float => (float)ReadDouble(ref reader, field),
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => ReadInteger<int>(ref reader, field),
        FieldType.UInt32 or FieldType.Fixed32 => ReadInteger<uint>(ref reader, field),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => ReadInteger<long>(ref reader, field),
        FieldType.UInt64 or FieldType.Fixed64 => ReadInteger<ulong>(ref reader, field),
        FieldType.Bool => ReadBool(ref reader, field),
        FieldType.String => ReadString(ref reader, field),
        FieldType.Bytes when field.IsHexId => ReadHexId(ref reader, field),
        FieldType.Bytes => ReadBase64(ref reader, field),
        FieldType.Enum => ReadEnum(ref reader, field),
        FieldType.Message => ReadChild(ref reader, field),
        _ => throw Error(reader.TokenStartIndex, field, $"has type {field.Descriptor.FieldType}, which OTLP JSON does not use"),
    };

    private static IMessage ReadChild(ref Utf8JsonReader reader, FieldLayout field)
    {
        var type = field.Descriptor.MessageType;
        if (MessageLayout.For(type).IsWellKnownType)
        {
            return ReadWellKnown(ref reader, type);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Error(reader.TokenStartIndex, field, $"expected an object, found {Describe(reader.TokenType)}");
        }

        // Parsing an empty buffer is the public way to get a fresh instance from a descriptor.
        var child = type.Parser.ParseFrom(ReadOnlySpan<byte>.Empty);
        ReadMessage(ref reader, child);
        return child;
    }

    private static double ReadDouble(ref Utf8JsonReader reader, FieldLayout field)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            // proto3 JSON writes the non-finite values as strings and accepts numbers in strings.
            var text = reader.GetString();
            switch (text)
            {
                case "NaN":
                    return double.NaN;
                case "Infinity":
                    return double.PositiveInfinity;
                case "-Infinity":
                    return double.NegativeInfinity;
                default:
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                    {
                        return parsed;
                    }

                    throw Error(reader.TokenStartIndex, field, $"expected a number, found \"{Excerpt(text)}\"");
            }
        }

        throw Error(reader.TokenStartIndex, field, $"expected a number, found {Describe(reader.TokenType)}");
    }

    private static T ReadInteger<T>(ref Utf8JsonReader reader, FieldLayout field)
        where T : IBinaryInteger<T>, IMinMaxValue<T>
    {
        // Decimal holds every int64 and uint64 exactly, and also takes forms such as 1e3 or 5.0.
        decimal value;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (!reader.TryGetDecimal(out value))
                {
                    throw Error(reader.TokenStartIndex, field, "is out of range");
                }

                break;
            case JsonTokenType.String:
                // 64-bit integers are decimal strings in proto3 JSON; a string is accepted for any integer.
                if (!TryParseDecimalString(ref reader, out value))
                {
                    throw Error(reader.TokenStartIndex, field, $"expected an integer, found \"{Excerpt(reader.GetString())}\"");
                }

                break;
            default:
                throw Error(reader.TokenStartIndex, field, $"expected an integer, found {Describe(reader.TokenType)}");
        }

        if (decimal.Truncate(value) == value && value >= decimal.CreateTruncating(T.MinValue) && value <= decimal.CreateTruncating(T.MaxValue))
        {
            return T.CreateTruncating(value);
        }

        throw Error(reader.TokenStartIndex, field, $"{value.ToString(CultureInfo.InvariantCulture)} is not an integer in the range of {typeof(T).Name}");
    }

    private static bool TryParseDecimalString(ref Utf8JsonReader reader, out decimal value)
    {
        if (!reader.ValueIsEscaped)
        {
            var text = reader.ValueSpan;
            return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
        }

        return decimal.TryParse(reader.GetString(), IntegerStyles, CultureInfo.InvariantCulture, out value);
    }

    private static bool ReadBool(ref Utf8JsonReader reader, FieldLayout field) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Error(reader.TokenStartIndex, field, $"expected true or false, found {Describe(reader.TokenType)}"),
    };

    private static string ReadString(ref Utf8JsonReader reader, FieldLayout field) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw Error(reader.TokenStartIndex, field, $"expected a string, found {Describe(reader.TokenType)}");

    private static ByteString ReadHexId(ref Utf8JsonReader reader, FieldLayout field)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Error(reader.TokenStartIndex, field, $"expected a hex string, found {Describe(reader.TokenType)}");
        }

        // JSON escapes are legal even in an id; only an escaped value pays for unescaping.
        ReadOnlySpan<byte> hex = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
        if (hex.IsEmpty)
        {
            // The spec: an empty id string is a zero-length id, i.e. absent.
            return ByteString.Empty;
        }

        // Any even length is accepted here: an id of the wrong size is rejected later, item by item, by
        // validation that can report it as a partial success instead of failing the whole request.
        if (!HexId.TryDecode(hex, out var bytes))
        {
            throw Error(reader.TokenStartIndex, field, $"is not a hex string: \"{Excerpt(Encoding.UTF8.GetString(hex))}\"");
        }

        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    private static ByteString ReadBase64(ref Utf8JsonReader reader, FieldLayout field)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Error(reader.TokenStartIndex, field, $"expected a base64 string, found {Describe(reader.TokenType)}");
        }

        if (reader.TryGetBytesFromBase64(out var bytes))
        {
            return UnsafeByteOperations.UnsafeWrap(bytes);
        }

        // proto3 JSON also accepts the URL-safe alphabet and missing padding.
        var text = reader.GetString()!.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            throw Error(reader.TokenStartIndex, field, "is not base64");
        }

        return ByteString.CopyFrom(buffer.AsSpan(0, written));
    }

    private static object? ReadEnum(ref Utf8JsonReader reader, FieldLayout field)
    {
        var type = field.Descriptor.EnumType;
        if (reader.TokenType == JsonTokenType.String)
        {
            // OTLP wants integers but proto3 JSON allows names; an unknown name is dropped like an unknown key.
            var named = type.FindValueByName(reader.GetString());
            return named is null ? null : Enum.ToObject(type.ClrType, named.Number);
        }

        // Enums are open: an unknown number is kept, as the binary decoder does.
        return Enum.ToObject(type.ClrType, ReadInteger<int>(ref reader, field));
    }

    private static OtlpJsonException Error(long position, FieldLayout field, string problem) =>
        Error(position, $"{field} {problem}");

    private static OtlpJsonException Error(long position, string problem) =>
        new($"Invalid OTLP JSON at byte {position}: {problem}.");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Excerpt(string? text) =>
        text is null ? string.Empty : text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");
}
