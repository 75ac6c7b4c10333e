using System.Net.Http.Headers;
using Google.Protobuf;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.Export.Otlp;

/// <summary>
/// OTLP/HTTP with binary protobuf: POST to the endpoint plus /v1/{signal}; 2xx is accepted (maybe partially),
/// 4xx/5xx carry a google.rpc.Status and are retried only for 429, 502, 503 and 504.
/// </summary>
internal sealed class OtlpHttpSender : IOtlpSender
{
    private const string ProtobufMediaType = "application/x-protobuf";
    private static readonly MediaTypeHeaderValue ProtobufContentType = new(ProtobufMediaType);

    private readonly OtlpHttpTransport _transport;
    private readonly Uri[] _signalUris;

    public OtlpHttpSender(OtlpExporterOptions options, OtlpHttpTransport transport)
    {
        _transport = transport;
        _signalUris = [.. Enum.GetValues<OtlpSignal>().Select(s => SignalUri(options.Endpoint, s))];
    }

    public async Task<ExportAttemptResult> SendAsync(OtlpSignal signal, OtlpPayload payload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _signalUris[(int)signal])
        {
            Content = new ReadOnlyMemoryContent(payload.Body),
        };
        request.Content.Headers.ContentType = ProtobufContentType;
        if (payload.Compressed)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }

        _transport.AddHeaders(request);
        return await _transport.SendAsync(request, (response, token) => ReadAsync(signal, response, token), cancellationToken)
            .ConfigureAwait(false);
    }

    public void Dispose() => _transport.Dispose();

    /// <summary>The endpoint's own path (a base such as /otlp) followed by the signal path, as the Collector does.</summary>
    internal static Uri SignalUri(Uri endpoint, OtlpSignal signal)
    {
        var builder = new UriBuilder(endpoint);
        builder.Path = builder.Path.TrimEnd('/') + signal.HttpPath();
        return builder.Uri;
    }

    private async Task<ExportAttemptResult> ReadAsync(OtlpSignal signal, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return OtlpResponseReader.Accepted(signal, body);
        }

        var detail = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {ErrorMessage(response, body)}";
        return OtlpRetryRules.IsRetryable(response.StatusCode)
            ? ExportAttemptResult.Retryable(detail, OtlpRetryRules.RetryAfter(response.Headers.RetryAfter, _transport.TimeProvider.GetUtcNow()))
            : ExportAttemptResult.Permanent(detail);
    }

    // The spec's error body is a google.rpc.Status; proxies answer with text or nothing.
    private static string ErrorMessage(HttpResponseMessage response, byte[] body)
    {
        if (body.Length == 0)
        {
            return "(no body)";
        }

        if (response.Content.Headers.ContentType?.MediaType == ProtobufMediaType)
        {
            try
            {
                return Google.Rpc.Status.Parser.ParseFrom(body).Message;
            }
            catch (InvalidProtocolBufferException)
            {
                return "(unreadable google.rpc.Status)";
            }
        }

        var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 256));
        return text.ReplaceLineEndings(" ");
    }
}
