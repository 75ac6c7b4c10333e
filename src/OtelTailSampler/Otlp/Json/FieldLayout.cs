using System.Text.Json;
using Google.Protobuf.Reflection;

namespace OtelTailSampler.Otlp.Json;

/// <summary>One field as OTLP JSON sees it: its key, pre-encoded for the writer, and whether it is a hex id.</summary>
internal sealed class FieldLayout
{
    public FieldLayout(FieldDescriptor descriptor, bool isHexId)
    {
        Descriptor = descriptor;
        IsHexId = isHexId;
        JsonName = JsonEncodedText.Encode(descriptor.JsonName);
    }

    public FieldDescriptor Descriptor { get; }

    /// <summary>The lowerCamelCase key written on output.</summary>
    public JsonEncodedText JsonName { get; }

    /// <summary>A trace or span id: hex in OTLP JSON where proto3 JSON would use base64.</summary>
    public bool IsHexId { get; }

    /// <summary>Names the field in error messages the way a user would search for it in their payload.</summary>
    public override string ToString() => $"{Descriptor.FullName} (\"{Descriptor.JsonName}\")";
}
