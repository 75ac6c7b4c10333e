using OtelTailSampler.Admin;
using OtelTailSampler.Export;
using OtelTailSampler.Export.File;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Hosting;
using OtelTailSampler.Decisions;
using OtelTailSampler.Otlp;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sampling;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Configuration;

/// <summary>
/// Binds `sampler { }` to the options records. Defaults come from the records, so a key missing from every
/// layer still has a sane value; each level reports keys it does not know, so typos never pass silently.
/// </summary>
public static class SamplerOptionsBinder
{
    private static readonly Dictionary<string, OtlpExportProtocol> Protocols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["grpc"] = OtlpExportProtocol.Grpc,
        ["http/protobuf"] = OtlpExportProtocol.HttpProtobuf,
    };

    private static readonly Dictionary<string, PipelineMode> PipelineModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sample"] = PipelineMode.Sample,
        ["pass-through"] = PipelineMode.PassThrough,
        ["decode-only"] = PipelineMode.DecodeOnly,
    };

    private static readonly Dictionary<string, OtlpExportCompression> Compressions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gzip"] = OtlpExportCompression.Gzip,
        ["none"] = OtlpExportCompression.None,
    };

    private static readonly Dictionary<string, DecisionReplication> Replications = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kept"] = DecisionReplication.Kept,
        ["all"] = DecisionReplication.All,
        ["none"] = DecisionReplication.None,
    };

    public static SamplerOptions Bind(SettingsReader sampler)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        sampler.ReportUnknownKeys("node", "receivers", "pipeline", "sharding", "sampling", "decisions", "journal", "exporters", "admin", "cluster", "telemetry");
        var pipeline = sampler.Section("pipeline");
        pipeline.ReportUnknownKeys("mode");
        return new SamplerOptions
        {
            PipelineMode = pipeline.GetChoice("mode", PipelineMode.Sample, PipelineModes),
            Node = BindNode(sampler.Section("node")),
            Receivers = BindReceivers(sampler.Section("receivers")),
            Sharding = BindSharding(sampler.Section("sharding")),
            Sampling = BindSampling(sampler.Section("sampling")),
            Decisions = BindDecisions(sampler.Section("decisions")),
            Journal = Persistence.JournalOptions.Read(sampler.Section("journal")),
            Exporters = BindExporters(sampler.Section("exporters")),
            Admin = BindAdmin(sampler.Section("admin")),
            Telemetry = BindTelemetry(sampler.Section("telemetry")),
            Cluster = BindCluster(sampler.Section("cluster")),
        };
    }

    private static Cluster.ClusterOptions BindCluster(SettingsReader cluster)
    {
        cluster.ReportUnknownKeys("endpoint", "public-hostname", "seed-nodes", "discovery", "down-unreachable-after", "forward-timeout", "max-forwards-in-flight");
        var defaults = new Cluster.ClusterOptions();
        // A list, or one comma-separated string, as an environment variable gives it.
        var seeds = cluster.HasValue("seed-nodes")
            ? [.. cluster.GetString("seed-nodes", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : cluster.GetStringList("seed-nodes");
        for (var i = 0; i < seeds.Count; i++)
        {
            if (!Cluster.ClusterAddresses.IsSeed(seeds[i]))
            {
                cluster.AddError($"seed-nodes.{i}", $"'{seeds[i]}' is not host:port, such as sampler-1:4319, or an Akka address such as akka.tcp://otel-sampler@sampler-1:4319");
            }
        }

        var options = new Cluster.ClusterOptions
        {
            Endpoint = ListenAddress(cluster, "endpoint", defaults.Endpoint),
            PublicHostname = cluster.GetString("public-hostname", defaults.PublicHostname).Trim(),
            SeedNodes = seeds,
            Discovery = Cluster.DiscoveryOptions.Read(cluster.Section("discovery")),
            DownUnreachableAfter = PositiveDuration(cluster, "down-unreachable-after", defaults.DownUnreachableAfter),
            ForwardTimeout = PositiveDuration(cluster, "forward-timeout", defaults.ForwardTimeout),
            MaxForwardsInFlight = cluster.GetInt("max-forwards-in-flight", defaults.MaxForwardsInFlight, min: 1, max: 90_000),
        };
        CheckDiscovery(cluster, options);
        return options;
    }

    // What discovery needs of the rest of sampler.cluster.
    private static void CheckDiscovery(SettingsReader cluster, Cluster.ClusterOptions options)
    {
        var method = options.Discovery.Method;
        if (method == Cluster.DiscoveryMethod.None)
        {
            return;
        }

        var methodText = Cluster.DiscoveryOptions.NameOf(method);
        if (options.SeedNodes.Count > 0)
        {
            // Akka's Cluster Bootstrap gives up when seeds are configured; one way of forming the cluster must be chosen.
            cluster.AddError("seed-nodes", $"must be empty when discovery.method = {methodText}: Cluster Bootstrap forms the cluster from the contact points it discovers; use one or the other");
        }

        // The Kubernetes API lists pods by IP, and Cluster Bootstrap finds its own pod among them by this node's host.
        if (method == Cluster.DiscoveryMethod.KubernetesApi && EndpointAddress.TryParse(options.Endpoint, out var endpoint))
        {
            var host = options.PublicHostname.Length > 0 ? options.PublicHostname
                : endpoint.Address.Equals(System.Net.IPAddress.Any) || endpoint.Address.Equals(System.Net.IPAddress.IPv6Any) ? "" : endpoint.Address.ToString();
            if (!System.Net.IPAddress.TryParse(host, out _))
            {
                var found = host.Length == 0 ? "it is empty and the endpoint binds every interface" : $"it is '{host}'";
                cluster.AddError("public-hostname", $"must be this pod's IP address when discovery.method = kubernetes-api (set SAMPLER_CLUSTER_PUBLIC_HOSTNAME from the pod's status.podIP), but {found}: Cluster Bootstrap recognises its own pod among those the Kubernetes API lists by IP");
            }
        }
    }

    private static DecisionsOptions BindDecisions(SettingsReader decisions)
    {
        decisions.ReportUnknownKeys("ttl", "slot-length", "shard-groups", "replicate", "hand-off-write-timeout");
        var defaults = new DecisionsOptions();
        var bound = new DecisionsOptions
        {
            Ttl = PositiveDuration(decisions, "ttl", defaults.Ttl),
            SlotLength = PositiveDuration(decisions, "slot-length", defaults.SlotLength),
            ShardGroups = decisions.GetInt("shard-groups", defaults.ShardGroups, min: 1),
            Replicate = decisions.GetChoice("replicate", defaults.Replicate, Replications),
            HandOffWriteTimeout = PositiveDuration(decisions, "hand-off-write-timeout", defaults.HandOffWriteTimeout),
        };
        try
        {
            _ = bound.Keys();
        }
        catch (ArgumentException e)
        {
            decisions.AddError("slot-length", e.Message);
        }

        return bound;
    }

    private static NodeOptions BindNode(SettingsReader node)
    {
        node.ReportUnknownKeys("data-dir", "shutdown-timeout");
        var defaults = new NodeOptions();
        return new NodeOptions
        {
            DataDir = NonEmpty(node, "data-dir", defaults.DataDir),
            ShutdownTimeout = PositiveDuration(node, "shutdown-timeout", defaults.ShutdownTimeout),
        };
    }

    private static OtlpReceiverOptions BindReceivers(SettingsReader receivers)
    {
        receivers.ReportUnknownKeys("otlp");
        var otlp = receivers.Section("otlp");
        otlp.ReportUnknownKeys("grpc", "http", "retry-after");
        var grpc = otlp.Section("grpc");
        grpc.ReportUnknownKeys("endpoint", "max-recv-msg-size");
        var http = otlp.Section("http");
        http.ReportUnknownKeys("endpoint", "max-request-body-size");
        var defaults = new OtlpReceiverOptions();
        return new OtlpReceiverOptions
        {
            GrpcEndpoint = ListenAddress(grpc, "endpoint", defaults.GrpcEndpoint),
            GrpcMaxRecvMsgSize = PositiveSize(grpc, "max-recv-msg-size", defaults.GrpcMaxRecvMsgSize, int.MaxValue),
            HttpEndpoint = ListenAddress(http, "endpoint", defaults.HttpEndpoint),
            HttpMaxRequestBodySize = PositiveSize(http, "max-request-body-size", defaults.HttpMaxRequestBodySize, int.MaxValue),
            RetryAfter = otlp.GetDuration("retry-after", defaults.RetryAfter),
        };
    }

    private static ShardingOptions BindSharding(SettingsReader sharding)
    {
        sharding.ReportUnknownKeys("shards");
        var defaults = new ShardingOptions();
        return new ShardingOptions
        {
            Shards = sharding.GetInt("shards", defaults.Shards, min: 1, max: 1 << 20),
        };
    }

    private static SamplingOptions BindSampling(SettingsReader sampling)
    {
        sampling.ReportUnknownKeys("decision-wait", "root-settle-delay", "max-spans-per-trace", "max-bytes-per-trace",
            "max-buffered-bytes", "max-traces", "tick-interval", "decision-cache", "policies");
        var cache = sampling.Section("decision-cache");
        cache.ReportUnknownKeys("kept-size", "dropped-size");
        var defaults = new SamplingOptions();
        var cacheDefaults = new DecisionCacheOptions();
        return new SamplingOptions
        {
            DecisionWait = PositiveDuration(sampling, "decision-wait", defaults.DecisionWait),
            RootSettleDelay = sampling.GetDuration("root-settle-delay", defaults.RootSettleDelay),
            MaxSpansPerTrace = sampling.GetInt("max-spans-per-trace", defaults.MaxSpansPerTrace, min: 1),
            MaxBytesPerTrace = PositiveSize(sampling, "max-bytes-per-trace", defaults.MaxBytesPerTrace, long.MaxValue),
            MaxBufferedBytes = MemoryBudget(sampling, "max-buffered-bytes", defaults.MaxBufferedBytes),
            MaxTraces = sampling.GetInt("max-traces", defaults.MaxTraces, min: 1),
            TickInterval = PositiveDuration(sampling, "tick-interval", defaults.TickInterval),
            DecisionCache = new DecisionCacheOptions
            {
                KeptSize = cache.GetInt("kept-size", cacheDefaults.KeptSize, min: 1),
                DroppedSize = cache.GetInt("dropped-size", cacheDefaults.DroppedSize, min: 1),
            },
            Policies = PolicySetOptions.Bind(sampling),
        };
    }

    // A size, or a percentage of the memory the process may use ("25%"), which follows container limits.
    private static long MemoryBudget(SettingsReader section, string key, long @default)
    {
        var text = section.GetString(key, "");
        if (text.EndsWith('%'))
        {
            if (double.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var percent)
                && percent is > 0 and <= 100)
            {
                return (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * percent / 100);
            }

            section.AddError(key, $"'{text}' is not a percentage between 0 and 100");
            return @default;
        }

        return PositiveSize(section, key, @default, long.MaxValue);
    }

    private static ExportersOptions BindExporters(SettingsReader exporters)
    {
        exporters.ReportUnknownKeys("otlp", "file", "unhealthy-after", "failure-log-interval");
        var defaults = new ExportersOptions();
        return new ExportersOptions
        {
            Otlp = BindOtlpExporter(exporters.Section("otlp")),
            File = BindFileExporter(exporters.Section("file")),
            UnhealthyAfter = PositiveDuration(exporters, "unhealthy-after", defaults.UnhealthyAfter),
            FailureLogInterval = PositiveDuration(exporters, "failure-log-interval", defaults.FailureLogInterval),
        };
    }

    private static OtlpExporterOptions? BindOtlpExporter(SettingsReader otlp)
    {
        otlp.ReportUnknownKeys("endpoint", "protocol", "headers", "compression", "timeout", "batch", "sending-queue", "retry-on-failure");
        var batch = otlp.Section("batch");
        batch.ReportUnknownKeys("max-size", "max-bytes", "timeout");
        var queue = otlp.Section("sending-queue");
        queue.ReportUnknownKeys("queue-size");
        var retry = otlp.Section("retry-on-failure");
        retry.ReportUnknownKeys("enabled", "initial-interval", "max-interval", "max-elapsed-time", "multiplier");

        var defaults = new OtlpExporterOptions();
        var options = new OtlpExporterOptions
        {
            Protocol = otlp.GetChoice("protocol", defaults.Protocol, Protocols),
            Headers = otlp.GetMap("headers"),
            Compression = otlp.GetChoice("compression", defaults.Compression, Compressions),
            Timeout = PositiveDuration(otlp, "timeout", defaults.Timeout),
            BatchMaxItems = batch.GetInt("max-size", defaults.BatchMaxItems, min: 0),
            BatchMaxBytes = (int)Math.Min(int.MaxValue, batch.GetSize("max-bytes", defaults.BatchMaxBytes)),
            BatchDelay = batch.GetDuration("timeout", defaults.BatchDelay),
            QueueCapacity = queue.GetInt("queue-size", defaults.QueueCapacity, min: 1),
            RetryEnabled = retry.GetBool("enabled", defaults.RetryEnabled),
            RetryInitialInterval = PositiveDuration(retry, "initial-interval", defaults.RetryInitialInterval),
            RetryMaxInterval = PositiveDuration(retry, "max-interval", defaults.RetryMaxInterval),
            RetryMaxElapsedTime = retry.GetDuration("max-elapsed-time", defaults.RetryMaxElapsedTime),
            RetryMultiplier = retry.GetDouble("multiplier", defaults.RetryMultiplier, min: 1.0, max: 100.0),
        };

        if (options.RetryMaxInterval < options.RetryInitialInterval)
        {
            retry.AddError("max-interval", $"must not be shorter than initial-interval ({options.RetryInitialInterval})");
        }

        var endpoint = otlp.GetString("endpoint", "");
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            otlp.AddError("endpoint", $"'{endpoint}' is not an http:// or https:// URL such as http://collector:4317");
            return null;
        }

        return options with { Endpoint = uri };
    }

    private static FileExporterOptions BindFileExporter(SettingsReader file)
    {
        file.ReportUnknownKeys("path", "max-file-size", "max-files", "queue-size");
        var defaults = new FileExporterOptions();
        return new FileExporterOptions
        {
            Path = NonEmpty(file, "path", defaults.Path),
            MaxFileBytes = PositiveSize(file, "max-file-size", defaults.MaxFileBytes, long.MaxValue),
            MaxFiles = file.GetInt("max-files", defaults.MaxFiles, min: 1),
            QueueCapacity = file.GetInt("queue-size", defaults.QueueCapacity, min: 1),
        };
    }

    private static AdminOptions BindAdmin(SettingsReader admin)
    {
        admin.ReportUnknownKeys("endpoint", "token");
        var defaults = new AdminOptions();
        return new AdminOptions { Endpoint = ListenAddress(admin, "endpoint", defaults.Endpoint), Token = admin.GetString("token", defaults.Token) };
    }

    private static TelemetryOptions BindTelemetry(SettingsReader telemetry)
    {
        telemetry.ReportUnknownKeys("otlp", "interval");
        var otlp = telemetry.Section("otlp");
        otlp.ReportUnknownKeys("endpoint", "protocol");
        var defaults = new TelemetryOptions();
        var interval = PositiveDuration(telemetry, "interval", defaults.Interval);
        if (interval.TotalMilliseconds > int.MaxValue)
        {
            // The SDK's reader counts the interval in int milliseconds.
            telemetry.AddError("interval", $"must be at most {TimeSpan.FromMilliseconds(int.MaxValue)}");
            interval = defaults.Interval;
        }

        var endpoint = otlp.GetString("endpoint", "");
        Uri? uri = null;
        if (!string.IsNullOrWhiteSpace(endpoint)
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            otlp.AddError("endpoint", $"'{endpoint}' is not an http:// or https:// URL such as http://collector:4317");
            uri = null;
        }

        return new TelemetryOptions
        {
            OtlpEndpoint = uri,
            OtlpProtocol = otlp.GetChoice("protocol", defaults.OtlpProtocol, Protocols),
            Interval = interval,
        };
    }

    private static string ListenAddress(SettingsReader section, string key, string @default)
    {
        var text = section.GetString(key, @default);
        if (!EndpointAddress.TryParse(text, out _))
        {
            section.AddError(key, $"'{text}' is not a listen address such as 0.0.0.0:4317, localhost:4317 or [::1]:4317");
            return @default;
        }

        return text;
    }

    private static string NonEmpty(SettingsReader section, string key, string @default)
    {
        var text = section.GetString(key, @default);
        if (string.IsNullOrWhiteSpace(text))
        {
            section.AddError(key, "must not be empty");
            return @default;
        }

        return text;
    }

    private static long PositiveSize(SettingsReader section, string key, long @default, long max)
    {
        var size = section.GetSize(key, @default);
        if (size <= 0 || size > max)
        {
            section.AddError(key, $"must be more than 0 bytes and at most {max} bytes");
            return @default;
        }

        return size;
    }

    private static TimeSpan PositiveDuration(SettingsReader section, string key, TimeSpan @default)
    {
        var duration = section.GetDuration(key, @default);
        if (duration <= TimeSpan.Zero)
        {
            section.AddError(key, "must be longer than 0");
            return @default;
        }

        return duration;
    }
}
