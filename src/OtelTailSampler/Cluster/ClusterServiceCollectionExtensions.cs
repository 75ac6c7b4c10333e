using System.Globalization;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OtelTailSampler.Cluster;

/// <summary>
/// Hosts the node's actor system with Akka.Hosting: remoting, clustering, downing, our own settings, and with
/// sampler.cluster.discovery the Cluster Bootstrap contact point that forms the cluster.
/// </summary>
public static class ClusterServiceCollectionExtensions
{
    /// <param name="configure">What the node hosts on the cluster beyond membership: the trace shards.</param>
    public static IServiceCollection AddSamplerCluster(this IServiceCollection services, ClusterOptions options,
        Action<AkkaConfigurationBuilder, IServiceProvider>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var addresses = ClusterAddresses.From(options);
        services.AddSingleton(addresses);
        services.AddSingleton<ClusterMembership>();
        services.AddAkka(ClusterAddresses.SystemName, (builder, provider) =>
        {
            var membership = provider.GetRequiredService<ClusterMembership>();
            var time = provider.GetRequiredService<TimeProvider>();
            var lifetime = provider.GetRequiredService<IHostApplicationLifetime>();

            // What a user writes under akka { } wins over what the node derives from sampler.cluster.
            if (options.AkkaHocon.Length > 0)
            {
                builder.AddHocon(options.AkkaHocon, HoconAddMode.Prepend);
            }

            builder.AddHocon(DerivedHocon(options), HoconAddMode.Append);
            if (options.Discovery.Method != DiscoveryMethod.None)
            {
                builder.AddHocon(BootstrapHocon.Render(options.Discovery), HoconAddMode.Append);
            }

            builder
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithRemoting(new RemoteOptions { HostName = addresses.BindHost, Port = addresses.Port, PublicHostName = addresses.PublicHost })
                .WithClustering(new Akka.Cluster.Hosting.ClusterOptions
                {
                    SeedNodes = [.. addresses.SeedNodes],
                    SplitBrainResolver = new KeepMajorityOption(),
                });
            configure?.Invoke(builder, provider);
            builder
                .AddStartup((system, _) =>
                {
                    membership.Attach(system, time);

                    // A node the cluster downed (or whose actor system ended otherwise) stops; the command line turns a
                    // downing into a non-zero exit so that a supervisor restarts it and it joins again.
                    system.WhenTerminated.ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);

                    // No seeds: this node is the whole cluster.
                    if (options.JoinsItself)
                    {
                        var cluster = Akka.Cluster.Cluster.Get(system);
                        cluster.Join(cluster.SelfAddress);
                    }
                });
        });

        // After the actor system's hosted service, which starts the system this one serves and bootstraps.
        if (options.Discovery.Method != DiscoveryMethod.None)
        {
            services.AddHostedService(provider => new BootstrapContactPointServer(provider, options, addresses, provider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        }

        return services;
    }

    // Settings the node sets for Akka beyond what the hosting options cover.
    private static string DerivedHocon(ClusterOptions options) => string.Create(CultureInfo.InvariantCulture, $$"""
        akka.cluster.split-brain-resolver.stable-after = {{(long)options.DownUnreachableAfter.TotalMilliseconds}}ms
        akka.cluster.run-coordinated-shutdown-when-down = on
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        akka.loglevel = INFO
        """);
}
