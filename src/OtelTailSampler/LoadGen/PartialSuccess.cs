using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// Reads the partial_success of an Export{Signal}ServiceResponse without parsing the message: all three responses
/// have it as field 1, holding the rejected count as field 1 and the error message as field 2.
/// </summary>
internal static class PartialSuccess
{
    public static SendResult Read(ReadOnlySpan<byte> response)
    {
        try
        {
            long rejected = 0;
            string? message = null;
            var reader = new ProtoReader(response);
            while (reader.TryReadTag(out var field, out var wireType))
            {
                if (field != 1 || wireType != WireType.LengthDelimited)
                {
                    reader.SkipField(field, wireType);
                    continue;
                }

                var partial = new ProtoReader(reader.ReadLengthDelimited());
                while (partial.TryReadTag(out field, out wireType))
                {
                    if (field == 1 && wireType == WireType.Varint)
                    {
                        rejected = (long)partial.ReadVarint();
                    }
                    else if (field == 2 && wireType == WireType.LengthDelimited)
                    {
                        message = System.Text.Encoding.UTF8.GetString(partial.ReadLengthDelimited());
                    }
                    else
                    {
                        partial.SkipField(field, wireType);
                    }
                }
            }

            return SendResult.Accepted(rejected, string.IsNullOrEmpty(message) ? null : message);
        }
        catch (ProtoWireException)
        {
            // The status said accepted; an unreadable body loses only the partial-success detail.
            return SendResult.Accepted(0, null);
        }
    }
}
