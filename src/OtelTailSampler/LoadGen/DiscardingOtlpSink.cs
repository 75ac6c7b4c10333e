using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// The fastest OTLP backend possible: Kestrel on 127.0.0.1 with OS-assigned ports (OTLP/gRPC on an HTTP/2-only
/// port, OTLP/HTTP on another) that reads each request to its end, counts it, and answers success without
/// looking inside. Benchmarks point a node's exporter here so that export costs the node what it costs, and no
/// backend slows it down.
/// </summary>
public sealed class DiscardingOtlpSink : IAsyncDisposable
{
    private static readonly byte[] EmptyGrpcMessage = new byte[GrpcProtocol.FrameHeaderLength];

    private readonly WebApplication _app;
    private ListenOptions? _grpcListen;
    private ListenOptions? _httpListen;
    private long _requests;
    private long _bytes;

    private DiscardingOtlpSink()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                _grpcListen = listen;
            });
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                _httpListen = listen;
            });
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>Base URI of the OTLP/gRPC port, such as http://127.0.0.1:40123.</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    /// <summary>Base URI of the OTLP/HTTP port; any path is accepted.</summary>
    public Uri HttpEndpoint { get; private set; } = null!;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Request body bytes received, as sent (compressed when they were).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public static async Task<DiscardingOtlpSink> StartAsync(CancellationToken cancellationToken = default)
    {
        var sink = new DiscardingOtlpSink();
        await sink._app.StartAsync(cancellationToken);
        sink.GrpcEndpoint = new Uri($"http://127.0.0.1:{sink._grpcListen!.IPEndPoint!.Port}");
        sink.HttpEndpoint = new Uri($"http://127.0.0.1:{sink._httpListen!.IPEndPoint!.Port}");
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token);
        }

        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        long bytes = 0;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            bytes += read.Buffer.Length;
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (context.Request.ContentType?.StartsWith(GrpcProtocol.ContentType, StringComparison.OrdinalIgnoreCase) == true)
        {
            // An empty Export*ServiceResponse behind its 5-byte prefix, then grpc-status OK in the trailers.
            response.ContentType = GrpcProtocol.ContentType;
            await response.Body.WriteAsync(EmptyGrpcMessage, context.RequestAborted);
            response.AppendTrailer(GrpcProtocol.StatusTrailer, "0");
        }
        else
        {
            // An empty Export*ServiceResponse is zero bytes of protobuf.
            response.ContentType = "application/x-protobuf";
            response.ContentLength = 0;
        }
    }
}
