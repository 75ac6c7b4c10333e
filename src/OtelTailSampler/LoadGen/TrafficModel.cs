using System.Globalization;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// The fixed part of generated traffic, built once from the seed: the services and how they call each other,
/// their resources, routes and databases, and the metric series. Immutable, so every sender shares one; each
/// sender makes its own <see cref="TrafficGenerator"/> for the per-batch work.
/// </summary>
internal sealed class TrafficModel
{
    public const int InstancesPerService = 3;

    private const ulong TopologyStream = 0x746F706F;

    private static readonly string[] KnownServices =
    [
        "frontend", "checkout", "cart", "product-catalog", "currency", "payment", "shipping", "email",
        "recommendation", "ad", "quote", "accounting", "fraud-detection", "inventory", "user", "auth",
        "search", "review", "notification", "pricing",
    ];

    private static readonly (string Name, string ScopeName, string Version)[] Languages =
    [
        ("go", "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", "0.58.0"),
        ("java", "io.opentelemetry.spring-webmvc-6.0", "2.11.0-alpha"),
        ("dotnet", "OpenTelemetry.Instrumentation.AspNetCore", "1.10.1"),
        ("python", "opentelemetry.instrumentation.flask", "0.50b0"),
        ("nodejs", "@opentelemetry/instrumentation-http", "0.57.0"),
    ];

    private static readonly string[] RouteTemplates =
        ["/api/{svc}", "/api/{svc}/{id}", "/api/{svc}/{id}/items", "/api/{svc}/search", "/api/{svc}/{id}/status"];

    private static readonly string[] FunctionNames = ["Validate", "Render", "ComputePrice", "Serialize", "ApplyRules", "LoadConfig"];

    private static readonly string[] Tables = ["orders", "items", "accounts", "sessions", "events", "prices"];

    public TrafficModel(long seed, TrafficOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Seed = seed;
        Options = options;
        var random = DeterministicRandom.For(seed, TopologyStream, 0);
        Services = [.. Enumerable.Range(0, options.Services).Select(i => CreateService(i, options.Services, ref random))];
        MetricGroups = CreateMetricGroups(options, Services);
    }

    public long Seed { get; }

    public TrafficOptions Options { get; }

    public IReadOnlyList<ServiceProfile> Services { get; }

    /// <summary>Ordered by service, so each service's metrics share one ResourceMetrics.</summary>
    public IReadOnlyList<MetricGroup> MetricGroups { get; }

    private static ServiceProfile CreateService(int index, int count, ref DeterministicRandom random)
    {
        var name = index < KnownServices.Length ? KnownServices[index] : $"service-{index + 1}";
        var language = Languages[index % Languages.Length];
        var pascal = string.Concat(name.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

        var resources = new byte[InstancesPerService][];
        for (var instance = 0; instance < InstancesPerService; instance++)
        {
            var hex = random.NextUInt64().ToString("x16", CultureInfo.InvariantCulture) + random.NextUInt64().ToString("x16", CultureInfo.InvariantCulture);
            var instanceId = $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
            using var resource = new ProtoBuilder(512);
            resource.StringAttribute(OtlpWire.ResourceAttributes, "service.name"u8, Utf8(name));
            resource.StringAttribute(OtlpWire.ResourceAttributes, "service.namespace"u8, "shop"u8);
            resource.StringAttribute(OtlpWire.ResourceAttributes, "service.version"u8, Utf8($"1.{index % 7}.{instance + 2}"));
            resource.StringAttribute(OtlpWire.ResourceAttributes, "service.instance.id"u8, Utf8(instanceId));
            resource.StringAttribute(OtlpWire.ResourceAttributes, "host.name"u8, Utf8($"{name}-{instanceId[..6]}"));
            resource.StringAttribute(OtlpWire.ResourceAttributes, "deployment.environment.name"u8, "production"u8);
            resource.StringAttribute(OtlpWire.ResourceAttributes, "cloud.region"u8, "eu-west-1"u8);
            resource.StringAttribute(OtlpWire.ResourceAttributes, "telemetry.sdk.name"u8, "opentelemetry"u8);
            resource.StringAttribute(OtlpWire.ResourceAttributes, "telemetry.sdk.language"u8, Utf8(language.Name));
            resource.StringAttribute(OtlpWire.ResourceAttributes, "telemetry.sdk.version"u8, "1.31.0"u8);
            resources[instance] = resource.WrittenSpan.ToArray();
        }

        var routes = new List<RouteProfile>();
        for (var r = 0; r < RouteTemplates.Length; r++)
        {
            if (r < 2 || random.Chance(0.6))
            {
                routes.Add(new RouteProfile(name, RouteTemplates[r].Replace("{svc}", name, StringComparison.Ordinal), isHealthCheck: false));
            }
        }

        if (index == 0)
        {
            routes.Add(new RouteProfile(name, "/health", isHealthCheck: true));
        }

        var downstreams = new List<int>();
        if (index + 1 < count)
        {
            var wanted = index == 0 ? random.Next(2, 5) : random.Next(0, 4);
            for (var attempt = 0; attempt < wanted * 3 && downstreams.Count < wanted; attempt++)
            {
                var target = random.Next(index + 1, count);
                if (!downstreams.Contains(target))
                {
                    downstreams.Add(target);
                }
            }

            downstreams.Sort();
        }

        DatabaseProfile? database = null;
        if (index > 0 && (random.Chance(0.6) || downstreams.Count == 0))
        {
            var system = random.Next(3) switch { 0 => "redis", 1 => "mongodb", _ => "postgresql" };
            var tables = new List<string>();
            foreach (var table in Tables)
            {
                if (random.Chance(0.5))
                {
                    tables.Add(table);
                }
            }

            if (tables.Count == 0)
            {
                tables.Add(Tables[index % Tables.Length]);
            }

            database = new DatabaseProfile(system, name, [.. tables]);
        }

        return new ServiceProfile
        {
            Index = index,
            Name = name,
            NameUtf8 = Utf8(name),
            Resources = resources,
            Scope = Scope(language.ScopeName, language.Version),
            MeterScope = Scope(language.ScopeName + ".metrics", language.Version),
            Routes = [.. routes],
            Downstreams = [.. downstreams],
            Database = database,
            Functions = [.. FunctionNames.Select(f => Utf8($"{pascal}Service.{f}"))],
            LoggerName = Utf8($"{pascal}.Handlers"),
        };
    }

    private static MetricGroup[] CreateMetricGroups(TrafficOptions options, IReadOnlyList<ServiceProfile> services)
    {
        var series = Enumerable.Range(0, options.MetricSeries)
            .Select(j => (Number: j, Service: j % services.Count, Kind: (MetricKind)(j / services.Count % 3), Variant: j / (services.Count * 3)))
            .ToArray();
        return [.. series
            .GroupBy(s => (s.Service, s.Kind))
            .OrderBy(g => g.Key.Service).ThenBy(g => g.Key.Kind)
            .Select(g => CreateGroup(services[g.Key.Service], g.Key.Kind, [.. g.Select(s => (s.Number, s.Variant))]))];
    }

    private static MetricGroup CreateGroup(ServiceProfile service, MetricKind kind, (int Number, int Variant)[] series)
    {
        var (name, description, unit) = kind switch
        {
            MetricKind.Sum => ("http.server.request.count", "Requests served.", "{request}"),
            MetricKind.Histogram => ("http.server.request.duration", "Duration of HTTP server requests.", "s"),
            _ => ("process.memory.usage", "Memory in use by the process.", "By"),
        };
        return new MetricGroup
        {
            Service = service.Index,
            Kind = kind,
            Name = Utf8(name),
            Description = Utf8(description),
            Unit = Utf8(unit),
            Series = [.. series.Select(s => s.Number)],
            Attributes = [.. series.Select(s => SeriesAttributes(service, kind, s.Variant))],
        };
    }

    private static byte[] SeriesAttributes(ServiceProfile service, MetricKind kind, int variant)
    {
        var field = kind == MetricKind.Histogram ? OtlpWire.HistogramAttributes : OtlpWire.NumberAttributes;
        var routes = service.Routes.Length;
        using var attributes = new ProtoBuilder(256);
        switch (kind)
        {
            case MetricKind.Sum:
                attributes.StringAttribute(field, "http.route"u8, service.Routes[variant % routes].Template);
                attributes.IntAttribute(field, "http.response.status_code"u8, (variant / routes % 3) switch { 0 => 200, 1 => 404, _ => 500 });
                Shard(attributes, field, variant / (routes * 3));
                break;
            case MetricKind.Histogram:
                attributes.StringAttribute(field, "http.route"u8, service.Routes[variant % routes].Template);
                Shard(attributes, field, variant / routes);
                break;
            default:
                attributes.StringAttribute(field, "process.memory.type"u8, (variant % 4) switch { 0 => "heap"u8, 1 => "stack"u8, 2 => "code"u8, _ => "other"u8 });
                Shard(attributes, field, variant / 4);
                break;
        }

        return attributes.WrittenSpan.ToArray();

        // More series than natural attribute combinations: a shard attribute keeps every series distinct.
        static void Shard(ProtoBuilder attributes, int field, int shard)
        {
            if (shard > 0)
            {
                attributes.IntAttribute(field, "app.shard"u8, shard);
            }
        }
    }

    private static byte[] Scope(string name, string version)
    {
        using var scope = new ProtoBuilder(256);
        scope.String(OtlpWire.ScopeName, name);
        scope.String(OtlpWire.ScopeVersion, version);
        return scope.WrittenSpan.ToArray();
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
