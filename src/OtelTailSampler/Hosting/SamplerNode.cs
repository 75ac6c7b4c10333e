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
using OtelTailSampler.Configuration;
using OtelTailSampler.Export;
using OtelTailSampler.Otlp;
using OtelTailSampler.Otlp.Grpc;
using OtelTailSampler.Otlp.Http;
using OtelTailSampler.Pipeline;

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
    private bool _stopped;

    private SamplerNode(WebApplication app, Dictionary<ListenerKind, ListenOptions> listeners, ITelemetryExporter exporter, string exportTarget)
    {
        _exportTarget = exportTarget;
        _app = app;
        _listeners = listeners;
        _exporter = exporter;
        _logger = app.Services.GetRequiredService<ILogger<SamplerNode>>();
        _shutdownTimeout = app.Services.GetRequiredService<SamplerOptions>().Node.ShutdownTimeout;
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
            services.AddSingleton(provider => ExporterFactory.Create(options.Exporters, options.Node, provider.GetRequiredService<ILoggerFactory>(), time));
        }
        else
        {
            services.AddSingleton(exporter);
        }

        services.AddSingleton<Sharding.SamplerMetrics>(provider => new Sharding.SamplerMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(provider => new Persistence.JournalMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(provider => OpenJournal(options, provider.GetRequiredService<ILoggerFactory>(), time, provider.GetRequiredService<Persistence.JournalMetrics>()));
        services.AddSingleton<ITelemetryPipeline>(provider => options.PipelineMode switch
        {
            PipelineMode.PassThrough => new PassThroughPipeline(provider.GetRequiredService<ITelemetryExporter>()),
            PipelineMode.DecodeOnly => new DiscardPipeline(),
            _ => new SamplingPipeline(options.Sampling, options.Sharding, provider.GetRequiredService<ITelemetryExporter>(),
                provider.GetRequiredService<Sharding.SamplerMetrics>(), time, provider.GetRequiredService<ILoggerFactory>(),
                provider.GetRequiredService<JournalHolder>().Journal, options.Journal.MaxJournalBytes),
        });
        services.AddSingleton<OtlpIngest>();
        services.AddSingleton<OtlpGrpcReceiver>();
        services.AddSingleton<OtlpHttpReceiver>();
        services.AddSingleton<AdminApi>();
        SelfTelemetry.AddServices(services, options.Telemetry);

        var listeners = new Dictionary<ListenerKind, ListenOptions>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Receivers enforce their own, configurable, limits and answer them in OTLP's terms.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            Listen(kestrel, listeners, ListenerKind.OtlpGrpc, endpoints[ListenerKind.OtlpGrpc], HttpProtocols.Http2);
            Listen(kestrel, listeners, ListenerKind.OtlpHttp, endpoints[ListenerKind.OtlpHttp], HttpProtocols.Http1AndHttp2);
            Listen(kestrel, listeners, ListenerKind.Admin, endpoints[ListenerKind.Admin], HttpProtocols.Http1AndHttp2);
        });

        var app = builder.Build();
        var grpc = app.Services.GetRequiredService<OtlpGrpcReceiver>();
        var http = app.Services.GetRequiredService<OtlpHttpReceiver>();
        var admin = app.Services.GetRequiredService<AdminApi>();
        SelfTelemetry.UseScrapeEndpoint(app, context => ListenerOf(context) == ListenerKind.Admin);
        app.Run(context => ListenerOf(context) switch
        {
            ListenerKind.OtlpGrpc => grpc.HandleAsync(context),
            ListenerKind.OtlpHttp => http.HandleAsync(context),
            _ => admin.HandleAsync(context),
        });

        var exportTarget = exporter is null ? ExporterFactory.Describe(options.Exporters) : exporter.GetType().Name;
        return new SamplerNode(app, listeners, app.Services.GetRequiredService<ITelemetryExporter>(), exportTarget);
    }

    /// <summary>
    /// Recovers the journal into the shard workers, then starts listening: the node takes traffic, and reports
    /// ready, only once what it acknowledged before is back in memory.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var readiness = _app.Services.GetRequiredService<NodeReadiness>();
        var listening = false;
        readiness.Register("receivers", () => listening ? null : "OTLP receivers are not listening yet");
        readiness.Register("exporter", () => _exporter is null ? "no exporter is configured" : null);
        if (Pipeline is SamplingPipeline sampling && _app.Services.GetRequiredService<JournalHolder>().Journal is { } journal)
        {
            readiness.Register("journal", () => journal.Healthy ? sampling.PushBackReason : $"the journal is failing: {journal.LastError?.Message}");
            await sampling.RecoverAsync(cancellationToken);
        }

        await _app.StartAsync(cancellationToken);
        listening = true;
        LogStarted(GrpcEndpoint, HttpEndpoint, AdminEndpoint);
        LogExporting(_exportTarget);
    }

    /// <summary>Completes when the host is asked to stop (Ctrl+C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>
    /// Stops taking requests, then drains the exporter, for at most sampler.node.shutdown-timeout: what a dead
    /// backend still holds after that is logged and counted by the exporter.
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
        try
        {
            // Without a journal yet, buffered traces are decided now rather than lost with the process.
            if (Pipeline is SamplingPipeline sampling)
            {
                await sampling.StopAsync(grace.Token);
            }

            await _exporter.StopAsync(grace.Token);
            LogStopped();
        }
        catch (OperationCanceledException) when (grace.IsCancellationRequested)
        {
            LogStoppedWithUndelivered(_shutdownTimeout);
        }

        if (_app.Services.GetRequiredService<JournalHolder>().Journal is { } journal)
        {
            await journal.DisposeAsync();
        }
    }

    // Opened while the node is built, so that the pipeline has it from the start; recovery happens at start.
    private static JournalHolder OpenJournal(SamplerOptions options, ILoggerFactory loggerFactory, TimeProvider time, Persistence.JournalMetrics metrics)
    {
        if (options.PipelineMode != PipelineMode.Sample || options.Journal.Backend == Persistence.JournalBackend.None)
        {
            return new JournalHolder(null);
        }

        var journal = Persistence.JournalFactory.OpenAsync(options.Journal, loggerFactory, time).GetAwaiter().GetResult()!;
        var writer = new Persistence.JournalWriter(journal, new Persistence.JournalWriterOptions(), loggerFactory.CreateLogger<Persistence.JournalWriter>(), metrics);
        return new JournalHolder(new Sharding.ShardJournal(journal, writer, options.Sharding.Shards, loggerFactory.CreateLogger<Sharding.ShardJournal>()));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "OTel Tail Sampler listening: OTLP/gRPC {Grpc}, OTLP/HTTP {Http}, admin {Admin}")]
    private partial void LogStarted(IPEndPoint grpc, IPEndPoint http, IPEndPoint admin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting to {Target}")]
    private partial void LogExporting(string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "OTel Tail Sampler stopped; exporter drained")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "OTel Tail Sampler stopped after {Timeout} with exports still undelivered (sampler.node.shutdown-timeout)")]
    private partial void LogStoppedWithUndelivered(TimeSpan timeout);
}
