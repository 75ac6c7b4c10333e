using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Admin;
using OtelTailSampler.Cluster;
using OtelTailSampler.Configuration;
using OtelTailSampler.Decisions;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Otlp.Http;
using OtelTailSampler.Pipeline;
using OtelTailSampler.Sharding;

namespace OtelTailSampler.Hosting;

/// <summary>
/// One sampler node: the OTLP receivers, the admin API and everything behind them, on one Kestrel server with
/// three listeners. Connections are tagged with their listener so one small dispatcher routes every request.
/// </summary>
public sealed partial class SamplerNode : IAsyncDisposable
{
    private const string ListenerItemKey = "otel-sampler.listener";

    private readonly WebApplication _app;
    private readonly Dictionary<ListenerKind, ListenOptions> _listeners;
    private readonly ITelemetryExporter _exporter;
    private readonly ILogger<SamplerNode> _logger;
    private readonly TimeSpan _shutdownTimeout;
    private readonly string _exportTarget;
    private readonly SamplerOptions _options;
    private readonly Dictionary<ListenerKind, IPEndPoint> _configuredEndpoints;
    private ITelemetryPipeline? _openedPipeline;
    private OtlpGrpcReceiver? _grpc;
    private OtlpHttpReceiver? _http;
    private AdminApi? _admin;
    private bool _listening;
    private bool _stopped;

    private SamplerNode(WebApplication app, Dictionary<ListenerKind, ListenOptions> listeners, Dictionary<ListenerKind, IPEndPoint> configuredEndpoints,
        ITelemetryExporter exporter, string exportTarget)
    {
        _exportTarget = exportTarget;
        _configuredEndpoints = configuredEndpoints;
        _app = app;
        _listeners = listeners;
        _exporter = exporter;
        _logger = app.Services.GetRequiredService<ILogger<SamplerNode>>();
        _options = app.Services.GetRequiredService<SamplerOptions>();
        _shutdownTimeout = _options.Node.ShutdownTimeout;
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>The bound OTLP/gRPC address (the real port when 0 was configured). Valid after start.</summary>
    public IPEndPoint GrpcEndpoint => _listeners[ListenerKind.OtlpGrpc].IPEndPoint!;

    public IPEndPoint HttpEndpoint => _listeners[ListenerKind.OtlpHttp].IPEndPoint!;

    public IPEndPoint AdminEndpoint => _listeners[ListenerKind.Admin].IPEndPoint!;

    /// <summary>The pipeline behind the receivers: the sampling pipeline unless sampling is switched off.</summary>
    public ITelemetryPipeline Pipeline => _app.Services.GetRequiredService<ITelemetryPipeline>();

    /// <summary>
    /// Builds a node. <paramref name="exporter"/> replaces the configured exporter (tests); otherwise the
    /// node exports to the OTLP endpoint, or to files when none is configured.
    /// </summary>
    public static SamplerNode Create(SamplerOptions options, Action<ILoggingBuilder>? configureLogging = null, ITelemetryExporter? exporter = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoints = ResolveEndpoints(options);

        // The node reads no appsettings.json, so nothing must watch the content root: with reload on, a watcher
        // would wake for every journal and export write under ./data and cost a tenth of a core at full load.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
            });
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

            // A start that fails (a port in use) is reported by the node as one line, not as the host's stack trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        var time = timeProvider ?? TimeProvider.System;
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.Receivers);
        services.AddSingleton(time);
        services.AddSingleton<NodeReadiness>();
        services.AddSingleton<ReceiverMetrics>(provider => new ReceiverMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        if (exporter is null)
        {
            services.AddSingleton(provider => ExporterFactory.Create(options.Exporters, options.Node, provider.GetRequiredService<ILoggerFactory>(), time,
                provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        }
        else
        {
            services.AddSingleton(exporter);
        }

        services.AddSingleton<Sharding.SamplerMetrics>(provider => new Sharding.SamplerMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(provider => new Persistence.JournalMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<JournalHolder>();
        services.AddSingleton(new Decisions.DecisionReplica(options.Decisions, time));
        services.AddSingleton<ITelemetryPipeline>(provider => options.PipelineMode switch
        {
            PipelineMode.PassThrough => new PassThroughPipeline(provider.GetRequiredService<ITelemetryExporter>()),
            PipelineMode.DecodeOnly => new DiscardPipeline(),
            _ => new SamplingPipeline(options.Sampling, options.Sharding, provider.GetRequiredService<ITelemetryExporter>(),
                provider.GetRequiredService<Sharding.SamplerMetrics>(), time, provider.GetRequiredService<ILoggerFactory>(),
                provider.GetRequiredService<JournalHolder>().Journal, options.Journal.MaxJournalBytes, clustered: true,
                provider.GetRequiredService<Decisions.DecisionReplica>()),
        });
        services.AddSingleton<OtlpIngest>();
        services.AddSingleton<OtlpGrpcReceiver>();
        services.AddSingleton<OtlpHttpReceiver>();
        services.AddSingleton(new TraceShardLocator(options.Sharding.Shards));
        services.AddSingleton<AdminApi>();
        services.AddSingleton(new AdminTokenGuard(options.Admin));
        services.AddSamplerCluster(options.Cluster, (akka, provider) =>
        {
            // Only the sampling pipeline has trace shards; the other modes answer every request on the node that got it.
            if (provider.GetRequiredService<ITelemetryPipeline>() is SamplingPipeline sampling)
            {
                akka.WithTraceShards(sampling, options.Sharding.Shards, options.Cluster,
                    Math.Max(options.Receivers.GrpcMaxRecvMsgSize, options.Receivers.HttpMaxRequestBodySize), time, provider.GetRequiredService<TraceShardLocator>(),
                    provider.GetRequiredService<JournalHolder>().Journal);
                akka.WithReplicatedDecisions(provider.GetRequiredService<Decisions.DecisionReplica>(), provider.GetRequiredService<ILoggerFactory>());
            }
        });
        SelfTelemetry.AddServices(services, options.Telemetry);

        var listeners = new Dictionary<ListenerKind, ListenOptions>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Receivers enforce their own, configurable, limits and answer them in OTLP's terms.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            // Without TLS there is no ALPN to choose HTTP/2 by: gRPC is HTTP/2 with prior knowledge, the others HTTP/1.1.
            Listen(kestrel, listeners, ListenerKind.OtlpGrpc, endpoints[ListenerKind.OtlpGrpc], HttpProtocols.Http2);
            Listen(kestrel, listeners, ListenerKind.OtlpHttp, endpoints[ListenerKind.OtlpHttp], HttpProtocols.Http1);
            Listen(kestrel, listeners, ListenerKind.Admin, endpoints[ListenerKind.Admin], HttpProtocols.Http1);
        });

        var app = builder.Build();
        SelfTelemetry.UseScrapeEndpoint(app, context => ListenerOf(context) == ListenerKind.Admin);
        var exportTarget = exporter is null ? ExporterFactory.Describe(options.Exporters) : exporter.GetType().Name;
        var node = new SamplerNode(app, listeners, endpoints, app.Services.GetRequiredService<ITelemetryExporter>(), exportTarget);

        // The receivers are resolved at start, once the journal behind them is open; nothing listens before that.
        app.Run(context => ListenerOf(context) switch
        {
            ListenerKind.OtlpGrpc => node._grpc!.HandleAsync(context),
            ListenerKind.OtlpHttp => node._http!.HandleAsync(context),
            _ => node._admin!.HandleAsync(context),
        });
        return node;
    }

    /// <summary>
    /// Recovers the journal's outboxes, then starts listening and, once this member is Up, has the trace shards recover
    /// theirs: the node takes traffic, and reports
    /// ready, only once what it acknowledged before is back in memory. A journal that cannot be opened or a port that
    /// cannot be bound throws <see cref="NodeStartupException"/>, whose message names the setting and the address.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var readiness = _app.Services.GetRequiredService<NodeReadiness>();
        readiness.Register("receivers", () => Volatile.Read(ref _listening) ? null : "OTLP receivers are not listening yet");
        readiness.Register("exporter", () => _exporter.Health.FailingReason());
        var membership = _app.Services.GetRequiredService<ClusterMembership>();
        readiness.Register("cluster", () => membership.IsUp ? null : $"this member is {membership.Status}, not Up, in the cluster");
        var holder = _app.Services.GetRequiredService<JournalHolder>();
        holder.Journal = await OpenJournalAsync(cancellationToken);
        _openedPipeline = Pipeline;
        if (_openedPipeline is SamplingPipeline sampling && holder.Journal is { } journal)
        {
            readiness.Register("journal", () => journal.Healthy ? sampling.PushBackReason : $"the journal is failing: {journal.LastError?.Message}");
            readiness.Register("recovery", () => sampling.ShardsRecovered.IsCompletedSuccessfully
                ? null
                : sampling.ShardsRecovered.IsFaulted
                    ? $"the trace shards could not recover from the journal: {sampling.ShardsRecovered.Exception!.GetBaseException().Message}"
                    : "the trace shards are recovering from the journal");
            await sampling.RecoverAsync(cancellationToken);
        }

        _grpc = _app.Services.GetRequiredService<OtlpGrpcReceiver>();
        _http = _app.Services.GetRequiredService<OtlpHttpReceiver>();
        _admin = _app.Services.GetRequiredService<AdminApi>();

        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw NodeStartupException.CannotListen(_configuredEndpoints.Select(kind => (SettingOf(kind.Key), kind.Value)), e);
        }

        // A cluster of one is Up within moments of joining itself; a node with seeds becomes ready when it has joined.
        // The trace shards recover once this member is Up, through the shard region: a cluster of one before it
        // reports started, a node with seeds in the background (it is not ready until they have).
        if (_options.Cluster.JoinsItself)
        {
            await membership.WhenUp.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            if (_openedPipeline is SamplingPipeline recovering)
            {
                await recovering.RecoverShardsAsync(cancellationToken);
            }
        }
        else if (_openedPipeline is SamplingPipeline recovering)
        {
            _ = RecoverShardsWhenUpAsync(membership, recovering);
        }

        Volatile.Write(ref _listening, true);
        LogStarted(GrpcEndpoint, HttpEndpoint, AdminEndpoint);
        LogExporting(_exportTarget);
        // Every mode but decode-only (which discards everything) acknowledges data; without a journal, not durably.
        if (holder.Journal is null && _options.PipelineMode != PipelineMode.DecodeOnly)
        {
            LogNotDurable(_options.PipelineMode == PipelineMode.PassThrough ? "sampler.pipeline.mode = pass-through" : "sampler.journal.backend = none");
        }
    }

    private async Task RecoverShardsWhenUpAsync(ClusterMembership membership, SamplingPipeline sampling)
    {
        try
        {
            await membership.WhenUp;
            await sampling.RecoverShardsAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Reported by /readyz, which stays unready.
            LogShardRecoveryFailed(e.Message);
        }
    }

    // Only the sampling pipeline journals. A journal that cannot be opened stops the start with one line.
    private async Task<Sharding.ShardJournal?> OpenJournalAsync(CancellationToken cancellationToken)
    {
        if (_options.PipelineMode != PipelineMode.Sample || _options.Journal.Backend == Persistence.JournalBackend.None)
        {
            return null;
        }

        var loggerFactory = _app.Services.GetRequiredService<ILoggerFactory>();
        Persistence.IJournal journal;
        try
        {
            journal = (await Persistence.JournalFactory.OpenAsync(_options.Journal, loggerFactory, _app.Services.GetRequiredService<TimeProvider>(), cancellationToken))!;
        }
        catch (Exception e) when (NodeStartupException.IsJournalFailure(e))
        {
            throw NodeStartupException.CannotOpenJournal(_options.Journal, e);
        }

        var writer = new Persistence.JournalWriter(journal, new Persistence.JournalWriterOptions(), loggerFactory.CreateLogger<Persistence.JournalWriter>(), _app.Services.GetRequiredService<Persistence.JournalMetrics>());
        return new Sharding.ShardJournal(journal, writer, _options.Sharding.Shards, loggerFactory.CreateLogger<Sharding.ShardJournal>());
    }

    private static string SettingOf(ListenerKind kind) => kind switch
    {
        ListenerKind.OtlpGrpc => "sampler.receivers.otlp.grpc.endpoint",
        ListenerKind.OtlpHttp => "sampler.receivers.otlp.http.endpoint",
        _ => "sampler.admin.endpoint",
    };

    /// <summary>True when the cluster downed this node; the process then exits non-zero.</summary>
    public bool WasDowned => _app.Services.GetRequiredService<ClusterMembership>().WasDowned;

    /// <summary>Completes when the host is asked to stop (Ctrl+C, SIGTERM), or the cluster downed this node.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>
    /// Stops taking requests, then delivers what it can for at most sampler.node.shutdown-timeout. With a journal,
    /// what the backend did not take stays in it for the next start, and one line says how much; without one, what
    /// is left is lost, and said so at error level.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(_shutdownTimeout);
        await _app.StopAsync(grace.Token);

        // A node whose journal could not be opened has no pipeline to stop.
        var sampling = _openedPipeline as SamplingPipeline;
        try
        {
            // With a journal, buffered traces stay in it; without one, they are decided now and handed to the exporter.
            if (sampling is not null)
            {
                await sampling.StopAsync(grace.Token);
            }
        }
        catch (OperationCanceledException) when (grace.IsCancellationRequested)
        {
            // Out of time: the exporter is still stopped below, so that what it holds is accounted for.
        }

        // On cancellation the exporter gives up on what it still holds, and reports each request's fate.
        await _exporter.StopAsync(grace.Token);
        var journal = _app.Services.GetRequiredService<JournalHolder>().Journal;
        var (spans, points, records) = sampling?.Undelivered() ?? default;
        if (spans + points + records == 0)
        {
            // A node that never listened acknowledged nothing: its failed start was reported already.
            if (_listening)
            {
                LogStopped();
            }
        }
        else if (journal is not null)
        {
            LogLeftInJournal(spans, records, points);
        }
        else
        {
            LogDroppedAtShutdown(spans, Configuration.DurationText.Format(_shutdownTimeout));
        }

        if (journal is not null)
        {
            await journal.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await _exporter.DisposeAsync();
            await _app.DisposeAsync();
        }
    }

    private static Dictionary<ListenerKind, IPEndPoint> ResolveEndpoints(SamplerOptions options)
    {
        var result = new Dictionary<ListenerKind, IPEndPoint>();
        foreach (var (kind, text, key) in new[]
        {
            (ListenerKind.OtlpGrpc, options.Receivers.GrpcEndpoint, "sampler.receivers.otlp.grpc.endpoint"),
            (ListenerKind.OtlpHttp, options.Receivers.HttpEndpoint, "sampler.receivers.otlp.http.endpoint"),
            (ListenerKind.Admin, options.Admin.Endpoint, "sampler.admin.endpoint"),
        })
        {
            if (!EndpointAddress.TryParse(text, out var endpoint))
            {
                throw new ArgumentException($"{key}: '{text}' is not a listen address such as 0.0.0.0:4317.", nameof(options));
            }

            result[kind] = endpoint;
        }

        return result;
    }

    private static void Listen(KestrelServerOptions kestrel, Dictionary<ListenerKind, ListenOptions> listeners, ListenerKind kind, IPEndPoint endpoint, HttpProtocols protocols) =>
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = protocols;
            listen.Use(next => connection =>
            {
                connection.Items[ListenerItemKey] = kind;
                return next(connection);
            });
            listeners[kind] = listen;
        });

    private static ListenerKind ListenerOf(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ListenerItemKey, out var kind) == true && kind is ListenerKind k
            ? k
            : ListenerKind.Admin;

    [LoggerMessage(EventId = 16, Level = LogLevel.Error, Message = "The trace shards could not recover from the journal: {Reason}")]
    private partial void LogShardRecoveryFailed(string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "OTel Tail Sampler listening: OTLP/gRPC {Grpc}, OTLP/HTTP {Http}, admin {Admin}")]
    private partial void LogStarted(IPEndPoint grpc, IPEndPoint http, IPEndPoint admin);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Exporting to {Target}")]
    private partial void LogExporting(string target);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning,
        Message = "Acknowledgements are not durable ({Setting}): what is buffered or queued when the process ends is lost")]
    private partial void LogNotDurable(string setting);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "OTel Tail Sampler stopped; everything acknowledged was delivered")]
    private partial void LogStopped();

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning,
        Message = "OTel Tail Sampler stopped: left {Spans} spans, {LogRecords} log records, {MetricPoints} metric points in the journal for the next start")]
    private partial void LogLeftInJournal(long spans, long logRecords, long metricPoints);

    [LoggerMessage(EventId = 15, Level = LogLevel.Error,
        Message = "OTel Tail Sampler stopped: dropped {Spans} spans that were not delivered within sampler.node.shutdown-timeout ({Timeout}); there is no journal to keep them")]
    private partial void LogDroppedAtShutdown(long spans, string timeout);
}
