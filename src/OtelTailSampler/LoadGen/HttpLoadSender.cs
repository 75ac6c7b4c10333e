using System.Net.Http.Headers;
using OtelTailSampler.Export.Otlp;
using OtelTailSampler.Otlp;

namespace OtelTailSampler.LoadGen;

/// <summary>
/// OTLP/HTTP with binary protobuf: a POST to the endpoint's path plus /v1/{signal}. 2xx is accepted (maybe
/// partially); 429, 502, 503 and 504 are <see cref="SendOutcome.Refused"/> with their Retry-After; every other
/// status is <see cref="SendOutcome.Rejected"/>.
/// </summary>
internal sealed class HttpLoadSender : ILoadSender
{
    private static readonly MediaTypeHeaderValue ProtobufContentType = new("application/x-protobuf");

    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly Uri[] _signalUris;

    public HttpLoadSender(HttpClient client, Uri endpoint, TimeProvider time)
    {
        _client = client;
        _time = time;
        Endpoint = endpoint;
        _signalUris = [.. Enum.GetValues<OtlpSignal>().Select(s => OtlpHttpSender.SignalUri(endpoint, s))];
    }

    public Uri Endpoint { get; }

    public Task<SendResult> SendAsync(LoadRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, _signalUris[(int)request.Signal])
        {
            Content = new ReadOnlyMemoryContent(request.Body),
        };
        message.Content.Headers.ContentType = ProtobufContentType;
        if (request.Compressed)
        {
            message.Content.Headers.ContentEncoding.Add("gzip");
        }

        return SendAndDisposeAsync(message, timeout, cancellationToken);
    }

    private async Task<SendResult> SendAndDisposeAsync(HttpRequestMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using (message)
        {
            return await LoadTransport.SendAsync(_client, message, ReadAsync, timeout, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SendResult> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return PartialSuccess.Read(body);
        }

        var detail = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        return OtlpRetryRules.IsRetryable(response.StatusCode)
            ? SendResult.Refused(detail, OtlpRetryRules.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow()))
            : SendResult.Rejected(detail);
    }
}
