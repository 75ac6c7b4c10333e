using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;

namespace OtelTailSampler.Otlp.Json;

/// <summary>
/// Google.Protobuf's own JSON mapping, used only for the well-known types (google.protobuf.Any in
/// google.rpc.Status details, Duration in RetryInfo): they have special JSON forms and carry no OTLP ids.
/// </summary>
internal static class WellKnownTypesJson
{
    // An Any names its payload's type; these are the ones OTLP puts in Status.details.
    private static readonly TypeRegistry Registry = TypeRegistry.FromMessages(Status.Descriptor, RetryInfo.Descriptor);

    private static readonly JsonFormatter Formatter =
        new(JsonFormatter.Settings.Default.WithTypeRegistry(Registry).WithFormatEnumsAsIntegers(true));

    private static readonly JsonParser Parser =
        new(JsonParser.Settings.Default.WithTypeRegistry(Registry).WithIgnoreUnknownFields(true));

    public static string Format(IMessage message) => Formatter.Format(message);

    public static IMessage Parse(string json, MessageDescriptor descriptor) => Parser.Parse(json, descriptor);
}
