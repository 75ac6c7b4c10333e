using Google.Protobuf.Reflection;

namespace OtelTailSampler.Otlp.Wire;

/// <summary>
/// Checks that bytes are well-formed protobuf for a message type, descending into every nested message the
/// schema knows, without building any object. This is what lets the receiver forward the client's own bytes
/// after one pass instead of parsing into objects and serializing again.
/// </summary>
public static class WireSchemaValidator
{
    // The same nesting limit as protobuf's own parsers.
    private const int MaxDepth = 100;

    /// <summary>Throws <see cref="ProtoWireException"/> when the bytes are not a well-formed message.</summary>
    public static void Validate(ReadOnlySpan<byte> message, MessageDescriptor descriptor) =>
        Validate(message, descriptor, 0);

    private static void Validate(ReadOnlySpan<byte> message, MessageDescriptor descriptor, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ProtoWireException($"Message nesting is deeper than {MaxDepth}.");
        }

        var reader = new ProtoReader(message);
        while (reader.TryReadTag(out var fieldNumber, out var wireType))
        {
            var field = descriptor.FindFieldByNumber(fieldNumber);
            if (field is null || wireType != WireType.LengthDelimited)
            {
                // Unknown fields and scalars are skipped; skipping still checks they are complete.
                reader.SkipField(fieldNumber, wireType);
                continue;
            }

            var payload = reader.ReadLengthDelimited();
            switch (field.FieldType)
            {
                case FieldType.Message:
                    try
                    {
                        Validate(payload, field.MessageType, depth + 1);
                    }
                    catch (ProtoWireException e) when (depth == 0)
                    {
                        throw new ProtoWireException($"Invalid {descriptor.Name}.{field.Name}: {e.Message}", e);
                    }

                    break;
                case FieldType.String or FieldType.Bytes:
                    break;
                default:
                    ValidatePacked(payload, field.FieldType);
                    break;
            }
        }
    }

    private static void ValidatePacked(ReadOnlySpan<byte> payload, FieldType type)
    {
        switch (type)
        {
            case FieldType.Fixed32 or FieldType.SFixed32 or FieldType.Float:
                if (payload.Length % 4 != 0)
                {
                    throw new ProtoWireException("Packed 32-bit field length is not a multiple of 4.");
                }

                break;
            case FieldType.Fixed64 or FieldType.SFixed64 or FieldType.Double:
                if (payload.Length % 8 != 0)
                {
                    throw new ProtoWireException("Packed 64-bit field length is not a multiple of 8.");
                }

                break;
            default:
                var reader = new ProtoReader(payload);
                while (!reader.End)
                {
                    reader.ReadVarint();
                }

                break;
        }
    }
}
