namespace OtelTailSampler.LoadGen;

/// <summary>One service of the generated system: its resources (one per instance), scope, routes, callees and database.</summary>
internal sealed class ServiceProfile
{
    public required int Index { get; init; }

    public required string Name { get; init; }

    public required byte[] NameUtf8 { get; init; }

    /// <summary>Encoded Resource messages, one per instance (service.instance.id and host.name differ).</summary>
    public required byte[][] Resources { get; init; }

    /// <summary>The encoded InstrumentationScope of its spans and logs.</summary>
    public required byte[] Scope { get; init; }

    /// <summary>The encoded InstrumentationScope of its metrics.</summary>
    public required byte[] MeterScope { get; init; }

    public required RouteProfile[] Routes { get; init; }

    /// <summary>Services this one calls; always of a higher index, so calls never loop.</summary>
    public required int[] Downstreams { get; init; }

    public required DatabaseProfile? Database { get; init; }

    /// <summary>code.function.name values of its internal spans.</summary>
    public required byte[][] Functions { get; init; }

    /// <summary>code.namespace of its log records.</summary>
    public required byte[] LoggerName { get; init; }
}
