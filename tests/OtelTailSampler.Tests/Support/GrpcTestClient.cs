using System.Net;
using System.Net.Http.Headers;
using OtelTailSampler.Otlp.Grpc;

namespace OtelTailSampler.Tests.Support;

/// <summary>
/// A bare gRPC client over HTTP/2 prior knowledge, for sending exactly the bytes a test wants (broken
/// frames included) and reading back the status wherever the server put it.
/// </summary>
public sealed class GrpcTestClient : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };

    public sealed record Reply(HttpStatusCode HttpStatus, GrpcStatusCode? Status, string? Message, byte[] Body);

    public static byte[] Frame(byte[] message, bool compressed = false)
    {
        var frame = new byte[GrpcProtocol.FrameHeaderLength + message.Length];
        GrpcProtocol.WriteFrameHeader(frame, compressed, message.Length);
        message.CopyTo(frame, GrpcProtocol.FrameHeaderLength);
        return frame;
    }

    public async Task<Reply> CallAsync(Uri server, string path, byte[] body, string? encoding = null, string contentType = GrpcProtocol.ContentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (encoding is not null)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, encoding);
        }

        using var response = await _client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var status = Header(response.TrailingHeaders, GrpcProtocol.StatusTrailer) ?? Header(response.Headers, GrpcProtocol.StatusTrailer);
        var message = Header(response.TrailingHeaders, GrpcProtocol.MessageTrailer) ?? Header(response.Headers, GrpcProtocol.MessageTrailer);
        return new Reply(response.StatusCode, status is null ? null : (GrpcStatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture),
            message is null ? null : GrpcProtocol.DecodeMessage(message), bytes);
    }

    /// <summary>The message inside a one-frame response body.</summary>
    public static byte[] Unframe(byte[] body)
    {
        Assert.True(GrpcProtocol.TryReadFrameHeader(body, out var compressed, out var length));
        Assert.False(compressed);
        Assert.Equal(body.Length - GrpcProtocol.FrameHeaderLength, (int)length);
        return body[GrpcProtocol.FrameHeaderLength..];
    }

    public void Dispose() => _client.Dispose();

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
