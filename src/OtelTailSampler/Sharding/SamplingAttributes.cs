using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Wire;

namespace OtelTailSampler.Sharding;

/// <summary>
/// The attributes a kept span carries: <c>sampling.policy</c> (the first policy that kept the trace) and
/// <c>sampling.adjusted_count</c> (how many traces it stands for). They are encoded once per policy as
/// Span.attributes entries; appending them to a span's bytes adds them, since repeated fields concatenate.
/// </summary>
public static class SamplingAttributes
{
    public const string PolicyKey = "sampling.policy";
    public const string AdjustedCountKey = "sampling.adjusted_count";

    private const int SpanAttributesField = 9;
    private const int KeyValueKey = 1;
    private const int KeyValueValue = 2;
    private const int AnyValueString = 1;
    private const int AnyValueDouble = 4;

    public static byte[] Encode(string policy, double adjustedCount)
    {
        using var output = new PooledBufferWriter(128);
        WriteAttribute(output, PolicyKey, writer => ProtoWriter.WriteBytesField(writer, AnyValueString, Encoding.UTF8.GetBytes(policy)));
        WriteAttribute(output, AdjustedCountKey, writer =>
        {
            ProtoWriter.WriteTag(writer, AnyValueDouble, WireType.Fixed64);
            BinaryPrimitives.WriteDoubleLittleEndian(writer.GetSpan(8), adjustedCount);
            writer.Advance(8);
        });
        return output.WrittenSpan.ToArray();
    }

    private static void WriteAttribute(PooledBufferWriter output, string key, Action<IBufferWriter<byte>> writeValue)
    {
        using var value = new PooledBufferWriter(64);
        writeValue(value);
        using var keyValue = new PooledBufferWriter(128);
        ProtoWriter.WriteBytesField(keyValue, KeyValueKey, Encoding.UTF8.GetBytes(key));
        ProtoWriter.WriteBytesField(keyValue, KeyValueValue, value.WrittenSpan);
        ProtoWriter.WriteBytesField(output, SpanAttributesField, keyValue.WrittenSpan);
    }
}
