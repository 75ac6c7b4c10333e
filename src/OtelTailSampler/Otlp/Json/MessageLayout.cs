using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.Reflection;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace OtelTailSampler.Otlp.Json;

/// <summary>
/// How one message type maps to OTLP JSON, worked out once per type from its descriptor: fields in declaration
/// order for the writer, and a key lookup for the reader that knows both the JSON and the original proto names.
/// </summary>
internal sealed class MessageLayout
{
    private static readonly ConcurrentDictionary<MessageDescriptor, MessageLayout> Cache = new();

    // The OTLP spec lists these as hex strings in JSON (Span, Link, LogRecord, Exemplar). Picked by field
    // descriptor rather than by name so that some other bytes field called "trace_id" stays base64.
    private static readonly FrozenSet<FieldDescriptor> HexIdFields = new[]
    {
        Span.Descriptor.FindFieldByNumber(Span.TraceIdFieldNumber),
        Span.Descriptor.FindFieldByNumber(Span.SpanIdFieldNumber),
        Span.Descriptor.FindFieldByNumber(Span.ParentSpanIdFieldNumber),
        Span.Types.Link.Descriptor.FindFieldByNumber(Span.Types.Link.TraceIdFieldNumber),
        Span.Types.Link.Descriptor.FindFieldByNumber(Span.Types.Link.SpanIdFieldNumber),
        LogRecord.Descriptor.FindFieldByNumber(LogRecord.TraceIdFieldNumber),
        LogRecord.Descriptor.FindFieldByNumber(LogRecord.SpanIdFieldNumber),
        Exemplar.Descriptor.FindFieldByNumber(Exemplar.TraceIdFieldNumber),
        Exemplar.Descriptor.FindFieldByNumber(Exemplar.SpanIdFieldNumber),
    }.ToFrozenSet();

    private readonly FrozenDictionary<string, FieldLayout>.AlternateLookup<ReadOnlySpan<char>> _byName;

    private MessageLayout(MessageDescriptor descriptor)
    {
        Descriptor = descriptor;
        Fields = [.. descriptor.Fields.InDeclarationOrder().Select(f => new FieldLayout(f, HexIdFields.Contains(f)))];

        // The spec wants lowerCamelCase keys, but senders that wrote the proto names are common enough that
        // refusing them would only lose data; proto3's JSON parsers accept both too.
        var byName = new Dictionary<string, FieldLayout>(StringComparer.Ordinal);
        foreach (var field in Fields)
        {
            byName[field.Descriptor.Name] = field;
            byName[field.Descriptor.JsonName] = field;
        }

        _byName = byName.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        IsWellKnownType = descriptor.File.Package == "google.protobuf";
    }

    public MessageDescriptor Descriptor { get; }

    public IReadOnlyList<FieldLayout> Fields { get; }

    /// <summary>Any, Duration and friends have special JSON forms; Google.Protobuf's own mapping handles them.</summary>
    public bool IsWellKnownType { get; }

    public static MessageLayout For(MessageDescriptor descriptor) =>
        Cache.GetOrAdd(descriptor, static d => new MessageLayout(d));

    public bool TryFindField(ReadOnlySpan<char> key, [NotNullWhen(true)] out FieldLayout? field) =>
        _byName.TryGetValue(key, out field);
}
