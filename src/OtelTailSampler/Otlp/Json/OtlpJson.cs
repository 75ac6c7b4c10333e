using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;

namespace OtelTailSampler.Otlp.Json;

/// <summary>
/// The OTLP/JSON encoding: proto3's JSON mapping with OTLP's differences. Trace and span ids are hex strings
/// (lowercase on output, either case on input), enums are integers (names accepted on input), keys are
/// lowerCamelCase (original proto names accepted on input), 64-bit integers are written as strings (numbers
/// or strings accepted), and unknown keys are ignored.
/// </summary>
public static class OtlpJson
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        // Nested AnyValues cost four levels each; 64 would cut attributes legitimately a dozen levels deep.
        MaxDepth = 256,
    };

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Readable non-ASCII text; quotes, control characters and backslashes are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Parses one OTLP JSON message, e.g. an ExportTraceServiceRequest from an OTLP/HTTP body.</summary>
    /// <exception cref="OtlpJsonException">The payload is not JSON, or not this message in OTLP JSON.</exception>
    public static T Parse<T>(ReadOnlySpan<byte> utf8Json)
        where T : IMessage<T>, new()
    {
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        var message = new T();
        try
        {
            if (!reader.Read())
            {
                throw new OtlpJsonException("Invalid OTLP JSON: the payload is empty.");
            }

            if (MessageLayout.For(message.Descriptor).IsWellKnownType)
            {
                message.MergeFrom(OtlpJsonReader.ReadWellKnown(ref reader, message.Descriptor).ToByteString());
            }
            else
            {
                OtlpJsonReader.ReadMessage(ref reader, message);
            }

            // Throws on anything but whitespace after the message.
            reader.Read();
            return message;
        }
        catch (JsonException e)
        {
            throw new OtlpJsonException($"Invalid OTLP JSON: {e.Message}", e);
        }
        catch (InvalidJsonException e)
        {
            throw new OtlpJsonException($"Invalid OTLP JSON at byte {reader.TokenStartIndex}: {e.Message}", e);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OtlpJsonException($"Invalid OTLP JSON at byte {reader.TokenStartIndex}: {e.Message}", e);
        }
    }

    /// <summary>Formats a message as compact OTLP JSON.</summary>
    public static string Format(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            OtlpJsonWriter.WriteMessage(writer, message);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes a message as OTLP JSON to <paramref name="writer"/>, which the caller flushes.</summary>
    public static void Format(IMessage message, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(writer);
        OtlpJsonWriter.WriteMessage(writer, message);
    }

    /// <summary>Options for a <see cref="Utf8JsonWriter"/> that writes OTLP JSON as <see cref="Format(IMessage)"/> does.</summary>
    public static JsonWriterOptions DefaultWriterOptions => WriterOptions;
}
