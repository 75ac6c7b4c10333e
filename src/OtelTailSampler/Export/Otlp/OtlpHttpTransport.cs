using System.Net;
using System.Net.Http.Headers;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// What both senders share: one pooled HttpClient, the per-attempt deadline (on the injected clock) and the
/// rule that failures to connect, broken connections and timeouts are retryable.
/// </summary>
internal sealed class OtlpHttpTransport : IDisposable
{
    // Large enough for any Export*ServiceResponse or google.rpc.Status; protects against odd backends.
    private const int MaxResponseBytes = 4 * 1024 * 1024;

    private readonly HttpClient _client;
    private readonly OtlpExporterOptions _options;

    public OtlpHttpTransport(OtlpExporterOptions options, TimeProvider timeProvider)
    {
        _options = options;
        TimeProvider = timeProvider;
        var handler = new SocketsHttpHandler
        {
            // Reconnect now and then so a backend behind DNS or a load balancer gets rebalanced.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.Timeout,
            EnableMultipleHttp2Connections = true,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _client = new HttpClient(handler)
        {
            // The attempt deadline is ours, on the injected TimeProvider.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxResponseBytes,
        };
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>Adds the configured headers (gRPC metadata) and a User-Agent unless the configuration sets one.</summary>
    public void AddHeaders(HttpRequestMessage request)
    {
        foreach (var (name, value) in _options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.Headers.UserAgent.Count == 0)
        {
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("OtelTailSampler", "1.0"));
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and lets <paramref name="interpret"/> read the answer, all within the
    /// attempt timeout. Only cancellation of <paramref name="cancellationToken"/> escapes as an exception.
    /// </summary>
    public async Task<ExportAttemptResult> SendAsync(
        HttpRequestMessage request,
        Func<HttpResponseMessage, CancellationToken, Task<ExportAttemptResult>> interpret,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, TimeProvider);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token)
                .ConfigureAwait(false);
            return await interpret(response, attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ExportAttemptResult.Retryable($"no answer within the timeout of {_options.Timeout}");
        }
        catch (HttpRequestException ex)
        {
            // Refused or reset connections, DNS failures, protocol errors: the spec says to retry.
            return ExportAttemptResult.Retryable($"request failed: {ex.Message}");
        }
        catch (IOException ex)
        {
            // The connection broke while the answer was read.
            return ExportAttemptResult.Retryable($"connection broke: {ex.Message}");
        }
    }

    public void Dispose() => _client.Dispose();
}
